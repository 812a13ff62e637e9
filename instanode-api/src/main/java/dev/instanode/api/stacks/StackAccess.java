package dev.instanode.api.stacks;

import static java.util.Objects.requireNonNull;

import dev.instanode.api.auth.Caller;
import dev.instanode.api.claim.ClaimService;
import dev.instanode.api.claim.OnboardingTokens;
import dev.instanode.core.ApiException;
import dev.instanode.core.ErrorCode;
import dev.instanode.core.TeamId;
import dev.instanode.core.names.StackSlug;
import java.util.Arrays;
import java.util.Optional;

/**
 * Who may see and change which stack. A team sees and changes its own stacks. An anonymous caller
 * sees an anonymous stack by its slug; to change or delete one it must also show the stack's {@code
 * upgrade_jwt} (proof it received the stack, never "the same network": a network is shared by many
 * people). Anything else is a 404, so a slug's existence is not given away.
 */
public final class StackAccess {
  private final OnboardingTokens onboarding;

  public StackAccess(OnboardingTokens onboarding) {
    this.onboarding = requireNonNull(onboarding, "onboarding is null");
  }

  /** The owner a stack must have for {@code caller}: its team, or none. */
  static Optional<TeamId> scope(Caller caller) {
    return switch (caller) {
      case Caller.Member m -> Optional.of(m.teamId());
      case Caller.Anonymous a -> Optional.empty();
    };
  }

  static StackSlug slug(String raw) {
    return StackSlug.parse(raw).orElseThrow(StackAccess::notFound);
  }

  /**
   * The owner to act as for a change to {@code slug}: a team caller's team; for an anonymous
   * caller, none, once one of the tokens in {@code upgradeHeader} lists the stack.
   */
  Optional<TeamId> changer(Caller caller, StackSlug slug, Optional<String> upgradeHeader) {
    if (caller instanceof Caller.Anonymous) {
      boolean received =
          upgradeHeader.stream()
              .flatMap(h -> Arrays.stream(h.split(",")))
              .map(String::trim)
              .filter(t -> !t.isEmpty())
              .limit(ClaimService.MAX_CLAIM_TOKENS)
              .map(onboarding::verify)
              .flatMap(Optional::stream)
              .anyMatch(o -> o.stacks().contains(slug));
      if (!received) {
        // The same answer whether the slug exists or not.
        throw new ApiException(
            ErrorCode.NOT_FOUND,
            "No such stack for this caller: an anonymous stack is changed or deleted with its"
                + " upgrade_jwt in the "
                + ClaimService.UPGRADE_HEADER
                + " header.");
      }
    }
    return scope(caller);
  }

  static ApiException notFound() {
    return new ApiException(ErrorCode.NOT_FOUND, "No such stack.");
  }
}
