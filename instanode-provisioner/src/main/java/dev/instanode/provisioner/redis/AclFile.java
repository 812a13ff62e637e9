package dev.instanode.provisioner.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the server's ACL users to its aclfile, so a created user survives a restart and a deleted
 * one does not come back.
 */
final class AclFile {
  private static final Logger LOG = LoggerFactory.getLogger(AclFile.class);
  private static final String NO_ACL_FILE = "not configured to use an ACL file";

  private AclFile() {}

  /**
   * {@code ACL SAVE}. A Redis started without an aclfile answers with an error: its users live in
   * memory (or in redis.conf via CONFIG REWRITE, an operator's choice), so that one error is
   * expected and ignored. Any other failure throws: a save that failed on a Redis that has an
   * aclfile means a restart would lose a new user or resurrect a dropped one.
   */
  static void save(RedisCommands<String, String> redis) {
    try {
      redis.aclSave();
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() == null || !e.getMessage().contains(NO_ACL_FILE)) {
        throw e;
      }
      LOG.debug("provisioner.redis.acl_save_skipped reason=no_aclfile");
    }
  }
}
