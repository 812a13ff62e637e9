package dev.instanode.api.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SmtpSettingsTest {
  @Test
  void aUrlGivesHostPortTlsAndALoginDecodedAsAUri() {
    SmtpSettings s =
        SmtpSettings.parse("smtp://mailer:p%40ss+word@mail.example.com:587?starttls=true", "a@b.c");
    assertThat(s.host()).isEqualTo("mail.example.com");
    assertThat(s.port()).isEqualTo(587);
    assertThat(s.startTls()).isTrue();
    assertThat(s.implicitTls()).isFalse();
    assertThat(s.user()).hasValue("mailer");
    assertThat(s.password()).as("a '+' stays a '+'").hasValue("p@ss+word");
    assertThat(s.toString()).doesNotContain("p@ss");

    SmtpSettings tls = SmtpSettings.parse("smtps://mail.example.com", "a@b.c");
    assertThat(tls.port()).isEqualTo(465);
    assertThat(tls.implicitTls()).isTrue();
    assertThat(tls.user()).isEmpty();
  }

  @Test
  void aBadUrlOrSenderIsNamedWithoutItsPassword() {
    assertThatThrownBy(() -> SmtpSettings.parse("http://secret@mail", "a@b.c"))
        .hasMessageContaining("smtp://")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> SmtpSettings.parse("smtp://mail.example.com", "nobody"))
        .hasMessageContaining("MAIL_FROM");
  }
}
