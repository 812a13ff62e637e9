package dev.instanode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {
  @Test
  void parsesOperatorUrls() {
    PostgresUrl url = PostgresUrl.parse("postgresql://admin:p%40ss@db.internal:6543/instanode");
    assertThat(url.host()).isEqualTo("db.internal");
    assertThat(url.port()).isEqualTo(6543);
    assertThat(url.database()).isEqualTo("instanode");
    assertThat(url.user()).isEqualTo("admin");
    assertThat(url.password()).isEqualTo("p@ss");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/instanode");
  }

  @Test
  void defaultsThePortAndRoundTripsToACustomerUri() {
    PostgresUrl url = PostgresUrl.parse("postgres://u:pw@h/d");
    assertThat(url.port()).isEqualTo(5432);
    assertThat(url.toUri()).isEqualTo("postgres://u:pw@h:5432/d?sslmode=disable");
  }

  @Test
  void rejectsMalformedUrlsWithoutEchoingThePassword() {
    assertThatThrownBy(() -> PostgresUrl.parse("mysql://u:secretpw@h/d"))
        .hasMessageNotContaining("secretpw")
        .hasMessageContaining("postgres://");
    assertThatThrownBy(() -> PostgresUrl.parse("postgres://u:secretpw@h/"))
        .hasMessageContaining("no database");
    assertThatThrownBy(() -> PostgresUrl.parse("")).hasMessageContaining("empty");
    assertThat(PostgresUrl.parse("postgres://u:secretpw@h/d").toString())
        .doesNotContain("secretpw");
  }
}
