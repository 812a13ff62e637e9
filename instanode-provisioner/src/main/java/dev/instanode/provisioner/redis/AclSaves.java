package dev.instanode.provisioner.redis;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for {@code ACL SAVE}. Each save rewrites the whole ACL file on Redis's one thread,
 * so one save per provision made sixteen concurrent provisions queue behind sixteen rewrites.
 *
 * <p>A caller that changed a user asks for a save that covers its change, and returns only once a
 * save that <em>started after</em> it asked has finished: its change is on disk, so a provision
 * answered 201 survives a Redis restart. Callers that ask while a save is running wait for the next
 * one, and that one save covers all of them.
 */
final class AclSaves {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  // Tickets handed out, and the highest ticket a finished save covers.
  private long requested;
  private long covered;
  private boolean saving;

  /**
   * Returns once a save that began after this call has finished. {@code save} runs on the calling
   * thread when this caller leads a save; its failure is this caller's, and the callers it would
   * have covered try again themselves.
   */
  void covering(Runnable save) {
    long target;
    lock.lock();
    try {
      long ticket = ++requested;
      while (saving && covered < ticket) {
        finished.awaitUninterruptibly();
      }
      if (covered >= ticket) {
        return;
      }
      saving = true;
      // Every ticket issued so far belongs to a change made before this save starts.
      target = requested;
    } finally {
      lock.unlock();
    }
    boolean saved = false;
    try {
      save.run();
      saved = true;
    } finally {
      lock.lock();
      try {
        saving = false;
        if (saved) {
          covered = Math.max(covered, target);
        }
        finished.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
