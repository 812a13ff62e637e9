package dev.instanode.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerTimingTest {
  @ParameterizedTest
  @CsvSource({
    "0, app;dur=0.000",
    "999, app;dur=0.000",
    "1000, app;dur=0.001",
    "1005000, app;dur=1.005",
    "1050000, app;dur=1.050",
    "1234567, app;dur=1.234",
    "12345678901, app;dur=12345.678",
    "-5, app;dur=0.000"
  })
  void millisecondsToThreePlaces(long nanos, String header) {
    assertThat(ApiServer.serverTiming(nanos)).isEqualTo(header);
  }
}
