/*
 * A database's whole life as one record: each registered pull request says what it does
 * (`operation`: create, change, decommission), its title (what it changes) and the record it
 * belongs to (`record_id`: the id of the creation request, or of the first request of a
 * database made before requests were tracked); `gone_at` is when the portal first saw the
 * database gone from every cluster after it had been there. Existing rows are creations, each
 * its own record.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('database_requests', table => {
    table
      .string('operation', 16)
      .notNullable()
      .defaultTo('create')
      .comment('What the pull request does: create, change or decommission');
    table
      .text('title')
      .nullable()
      .comment("The pull request's title (what it changes)");
    table
      .string('record_id', 36)
      .nullable()
      .comment('The id of the request that started the database record');
    table
      .string('gone_at', 32)
      .nullable()
      .comment('When the database was first seen gone from every cluster');
    table.index(['record_id'], 'database_requests_record_id_idx');
  });
  await knex('database_requests')
    .whereNull('record_id')
    .update({ record_id: knex.ref('id') });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('database_requests', table => {
    table.dropIndex(['record_id'], 'database_requests_record_id_idx');
    table.dropColumn('operation');
    table.dropColumn('title');
    table.dropColumn('record_id');
    table.dropColumn('gone_at');
  });
};
