package dev.instanode.chokepoint;

import java.util.Optional;

/**
 * Where the chokepoint writes what it was asked to destroy and what came of it. A write that fails
 * throws: the chokepoint then refuses to act, so nothing is ever destroyed unaudited.
 */
public interface DestructionAudit {
  /** What one row records. */
  enum Event {
    REQUESTED("deprovision.requested"),
    DROPPED("deprovision.dropped"),
    REFUSED("deprovision.refused"),
    FAILED("deprovision.failed");

    private final String wireName;

    Event(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /** Writes one row; names are written masked ({@code kind:masked}). */
  void write(Event event, Teardown teardown, Optional<String> detail);
}
