package dev.instanode.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An exported cell never starts a spreadsheet formula. */
class AuditTrailCellTest {
  @Test
  void textThatAFormulaWouldStartWithIsQuoted() {
    for (String formula : new String[] {"=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"}) {
      assertThat(AuditTrail.cell(formula)).isEqualTo("'" + formula);
    }
    assertThat(AuditTrail.cell("API key 'ci' created")).isEqualTo("API key 'ci' created");
    assertThat(AuditTrail.cell("")).isEmpty();
  }
}
