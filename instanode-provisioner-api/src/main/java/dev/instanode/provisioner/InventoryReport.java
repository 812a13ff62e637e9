package dev.instanode.provisioner;

import java.util.List;

/** Every tenant a backend holds, read whole: a read that fails throws instead of answering less. */
public record InventoryReport(List<InventoryItem> items) {
  public InventoryReport {
    items = List.copyOf(items);
  }
}
