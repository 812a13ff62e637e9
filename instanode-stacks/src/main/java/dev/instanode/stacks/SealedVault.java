package dev.instanode.stacks;

import dev.instanode.core.AuditKind;
import dev.instanode.core.crypto.AesGcm;
import dev.instanode.store.AuditEvent;
import dev.instanode.store.AuditLog;
import dev.instanode.store.StackRecord;
import dev.instanode.store.VaultRepository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a team's vault for a deploy, opening the sealed values; each read is audited {@code
 * vault.read} (the keys, never the values). An anonymous stack has no vault.
 */
public final class SealedVault implements VaultValues {
  private final VaultRepository vault;
  private final AesGcm aes;
  private final AuditLog audit;

  public SealedVault(VaultRepository vault, AesGcm aes, AuditLog audit) {
    this.vault = vault;
    this.aes = aes;
    this.audit = audit;
  }

  @Override
  public Map<String, String> read(StackRecord row, Set<String> keys) {
    if (row.team().isEmpty() || keys.isEmpty()) {
      return Map.of();
    }
    Map<String, String> sealed = vault.newest(row.team().get(), row.env(), keys);
    // Recorded before any value is opened: a read that cannot be audited fails the apply.
    audit.writeOrThrow(
        new AuditEvent(
            row.team(),
            AuditEvent.Actor.SYSTEM,
            AuditKind.VAULT_READ,
            Optional.of("stack"),
            Optional.empty(),
            "Vault read to deploy stack " + row.slug(),
            Map.of(
                "env", row.env(),
                "keys", List.copyOf(sealed.keySet()),
                "stack", row.slug().value()),
            Optional.empty()));
    Map<String, String> open = new LinkedHashMap<>();
    sealed.forEach((k, v) -> open.put(k, aes.decrypt(v)));
    return open;
  }
}
