import { createApp } from '@backstage/frontend-defaults';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { SignInPage } from '@backstage/core-components';

/** The local portal signs everyone in as the guest (see app-config.yaml). */
const guestSignIn = SignInPageBlueprint.make({
  params: {
    loader: async () => props =>
      <SignInPage {...props} auto providers={['guest']} />,
  },
});

/**
 * The catalog, the scaffolder and our postgres plugin (its `/alpha` export) are found in this
 * package's dependencies (`app.packages: all` in app-config.yaml), as in an app made by
 * `@backstage/create-app`.
 */
export default createApp({
  features: [
    createFrontendModule({ pluginId: 'app', extensions: [guestSignIn] }),
  ],
});
