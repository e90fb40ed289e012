package boxoffice;

import boxoffice.Config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {

  @TempDir
  Path dir;

  private Path write(String json) throws IOException {
    Path file = dir.resolve("conf.json");
    Files.writeString(file, json);
    return file;
  }

  private String error(String json, Map<String, String> env) throws IOException {
    Path file = write(json);
    return assertThrows(ConfigException.class, () -> Config.load(file, env)).getMessage();
  }

  @Test
  void theShippedConfigurationsLoad() {
    for (String name : List.of("local", "local-unreachable", "docker")) {
      Config config = Config.load(Path.of("conf", name + ".json"), Map.of());
      assertEquals(8, config.redis().nodes().size(), name);
      assertEquals(name.equals("local"), config.redis().addressMap().isEmpty(), name);
    }
  }

  @Test
  void errorsNameTheKey() throws IOException {
    assertTrue(error("{", Map.of()).contains("is not a JSON object"));
    assertTrue(error("[]", Map.of()).contains("is not a JSON object"));
    assertTrue(error("{}", Map.of()).startsWith("redis:"));
    assertTrue(error("{\"redis\":{\"nodes\":[]}}", Map.of()).startsWith("redis.nodes:"));
    assertTrue(error("{\"redis\":{\"nodes\":[\"localhost\"]}}", Map.of()).startsWith("redis.nodes:"));
    String nodes = "\"nodes\":[\"redis://127.0.0.1:7001\"]";
    assertTrue(error("{\"redis\":{" + nodes + ",\"addressMap\":{\"a\":1}}}", Map.of())
      .startsWith("redis.addressMap.a:"));
    assertTrue(error("{\"redis\":{" + nodes + "},\"http\":{\"port\":\"x\"}}", Map.of()).startsWith("http.port:"));
    assertTrue(error("{\"redis\":{" + nodes + "},\"hold\":{\"seconds\":0}}", Map.of()).startsWith("hold.seconds:"));
    assertTrue(error("{\"redis\":{" + nodes + "}}", Map.of("BOXOFFICE_HTTP_PORT", "eighty"))
      .startsWith("http.port:"));
    assertTrue(assertThrows(ConfigException.class, () -> Config.load(dir.resolve("missing.json"), Map.of()))
      .getMessage().contains("does not exist"));
  }

  @Test
  void environmentOverridesTheFile() throws IOException {
    Path file = write("{\"redis\":{\"nodes\":[\"redis://127.0.0.1:7001\"]},\"http\":{\"port\":8080}}");
    Config config = Config.load(file, Map.of(
      "BOXOFFICE_HTTP_PORT", "9090",
      "BOXOFFICE_REDIS_NODES", "redis://10.0.0.1:7001, redis://10.0.0.2:7002",
      "BOXOFFICE_ADMIN_API_KEY", "secret",
      "BOXOFFICE_HOLD_SECONDS", "60"));
    assertEquals(9090, config.httpPort());
    assertEquals(List.of("redis://10.0.0.1:7001", "redis://10.0.0.2:7002"), config.redis().nodes());
    assertEquals("secret", config.adminApiKey());
    assertEquals(60, config.holdSeconds());
    assertEquals(900, Config.fromJson(new JsonObject(Files.readString(file))).holdSeconds(), "the default");
  }

  @Test
  void aBadConfigurationStopsTheProcessWithOneLine() throws Exception {
    Path file = write("{\"redis\":{\"nodes\":\"redis://127.0.0.1:7001\"}}");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), Main.class.getName(), "-conf", file.toString())
      .redirectOutput(ProcessBuilder.Redirect.DISCARD)
      .start();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue());
    assertEquals(1, stderr.lines().count(), stderr);
    assertTrue(stderr.contains("redis.nodes"), stderr);
  }
}
