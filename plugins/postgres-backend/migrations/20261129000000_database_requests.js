/*
 * Database requests made through the portal: one row per GitOps pull request, with who asked
 * and when each transition was seen. No password or other secret is ever stored here.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('database_requests', table => {
    table.comment(
      'Database requests made through the portal, from pull request to healthy',
    );
    table.string('id', 36).primary().notNullable().comment('A random UUID');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment(
        'The entity the request was made for (kind:namespace/name, lower case)',
      );
    table
      .string('namespace', 63)
      .notNullable()
      .comment("The claim's namespace");
    table.string('name', 63).notNullable().comment("The claim's name");
    table.string('repo_host', 255).notNullable();
    table.string('repo_owner', 255).notNullable();
    table.string('repo_name', 255).notNullable();
    table.integer('pr_number').notNullable();
    table.text('pr_url').notNullable();
    table
      .string('pr_state', 16)
      .notNullable()
      .comment(
        'open, merged or closed (without merge), as last read from the forge',
      );
    table
      .string('requested_by', 255)
      .notNullable()
      .comment('A user entity ref');
    table.string('requested_at', 32).notNullable().comment('ISO 8601');
    table.string('merged_at', 32).nullable();
    table.string('closed_at', 32).nullable();
    table.string('claim_seen_at', 32).nullable();
    table.string('healthy_at', 32).nullable();
    table.string('dismissed_at', 32).nullable();
    table.unique(['repo_host', 'repo_owner', 'repo_name', 'pr_number'], {
      indexName: 'database_requests_pull_request_idx',
    });
    table.index(['entity_ref'], 'database_requests_entity_ref_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('database_requests');
};
