/** External Secrets Operator's vocabulary: its ExternalSecret reasons and refresh policies. */

/**
 * ESO's ExternalSecret `Ready` reasons (externalsecret_types.go ConditionReason…); `Resource…`
 * are the generic-target twins of `Secret…`. `SecretMissing` is Ready=True with
 * creationPolicy Merge and no target: the credentials hop then reports the missing secret.
 */
export const ESO_READY_REASONS: Readonly<
  Record<string, 'esSynced' | 'esDeleted' | 'esSyncError'>
> = {
  SecretSynced: 'esSynced',
  ResourceSynced: 'esSynced',
  SecretMissing: 'esSynced',
  ResourceMissing: 'esSynced',
  SecretDeleted: 'esDeleted',
  ResourceDeleted: 'esDeleted',
  SecretSyncedError: 'esSyncError',
  ResourceSyncedError: 'esSyncError',
};

/** ESO refreshPolicy values (externalsecret_types.go RefreshPolicy…). */
export const ESO_REFRESH_POLICIES = ['CreatedOnce', 'Periodic', 'OnChange'];
