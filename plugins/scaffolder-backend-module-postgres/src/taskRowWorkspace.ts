import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  restoreWorkspace,
  serializeWorkspace,
  WorkspaceProvider,
} from '@backstage/plugin-scaffolder-node/alpha';

/**
 * The name operators give `scaffolder.taskRecovery.workspaceProvider` to use
 * {@link TaskRowWorkspaceProvider}.
 */
export const TASK_ROW_WORKSPACE_PROVIDER = 'taskRow';

/**
 * Keeps a task's workspace (a tar archive) in the scaffolder's own `tasks.workspace` column, the
 * column the scaffolder's migrations made for a workspace snapshot: the scaffolder writes it after
 * every step, and a task recovered or retried on any replica resumes at its next step with the
 * files its earlier steps wrote (without it, with an empty directory). It is cleared when the
 * task completes. The scaffolder module's `coreServices.database` is the scaffolder's database.
 */
export class TaskRowWorkspaceProvider implements WorkspaceProvider {
  constructor(
    private readonly db: Awaited<ReturnType<DatabaseService['getClient']>>,
  ) {}

  async serializeWorkspace(options: { path: string; taskId: string }) {
    const { contents } = await serializeWorkspace({ path: options.path });
    await this.db('tasks')
      .where({ id: options.taskId })
      .update({ workspace: contents });
  }

  async rehydrateWorkspace(options: { taskId: string; targetPath: string }) {
    const [row] = await this.db('tasks')
      .where({ id: options.taskId })
      .select('workspace');
    await restoreWorkspace({
      path: options.targetPath,
      buffer: row?.workspace ?? undefined,
    });
  }

  async cleanWorkspace(options: { taskId: string }) {
    await this.db('tasks')
      .where({ id: options.taskId })
      .update({ workspace: null });
  }
}
