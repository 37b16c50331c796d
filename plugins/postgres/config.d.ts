export interface Config {
  /** Self-service PostgreSQL: what the entity page and the fleet page show. */
  postgres?: {
    /**
     * Where the databases card and tab appear, and which template their "New database" button
     * opens.
     * @visibility frontend
     */
    entityPage?: {
      /**
       * The kinds (and, optionally, `spec.type`s) of entity that show the card and tab, besides
       * every entity that names databases in its `bizmatters.io/postgres-instances` annotation.
       * Default: components of type `service` and resources of type `database`.
       * @visibility frontend
       */
      show?: Array<{
        /**
         * An entity kind, e.g. `Component` (any case).
         * @visibility frontend
         */
        kind: string;
        /**
         * The entity's `spec.type`, e.g. `service` (any case); absent: any type.
         * @visibility frontend
         */
        type?: string;
      }>;
      /**
       * The template "New database" opens (through the app's binding of the plugin's
       * `newDatabase` route to the scaffolder's `selectedTemplate`), as an entity ref.
       * Default: `template:default/new-postgres-db`.
       * @visibility frontend
       */
      template?: string;
      /**
       * The template each database's "Change" menu opens (grow storage, change size, upgrade,
       * decommission), through the same binding, as an entity ref.
       * Default: `template:default/change-postgres-db`.
       * @visibility frontend
       */
      changeTemplate?: string;
    };
  };
}
