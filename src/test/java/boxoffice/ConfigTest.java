package boxoffice;

import boxoffice.Config.ConfigException;
import boxoffice.cluster.ClusterSettings;
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
  void clusterAndBridge() throws IOException {
    String nodes = "\"redis\":{\"nodes\":[\"redis://127.0.0.1:7001\"]}";
    Config off = Config.load(write("{" + nodes + "}"), Map.of());
    assertEquals(ClusterSettings.OFF, off.cluster(), "one process unless asked");
    assertTrue(!off.bridge().enabled(), "no bridge unless asked");

    Config file = Config.load(write("{" + nodes + ",\"cluster\":{\"enabled\":true,\"host\":\"10.0.0.5\","
      + "\"memberPort\":5801,\"members\":[\"10.0.0.5:5801\",\"10.0.0.6:5801\"],\"busPort\":6000},"
      + "\"bridge\":{\"port\":7000}}"), Map.of());
    assertEquals(new ClusterSettings(true, "10.0.0.5", 5801, List.of("10.0.0.5:5801", "10.0.0.6:5801"), 6000),
      file.cluster());
    assertEquals(7000, file.bridge().port());
    assertEquals(List.of("boxoffice.event.get", "boxoffice.reservation.get", "boxoffice.waitlist.get"),
      file.bridge().inbound(), "programs on the bridge may only read unless configured");
    assertTrue(file.bridge().outbound().contains("boxoffice.reservation.created"));

    Config env = Config.load(write("{" + nodes + "}"), Map.of(
      "BOXOFFICE_CLUSTER_ENABLED", "true",
      "BOXOFFICE_CLUSTER_HOST", "127.0.0.1",
      "BOXOFFICE_CLUSTER_MEMBER_PORT", "5702",
      "BOXOFFICE_CLUSTER_MEMBERS", "127.0.0.1:5701, 127.0.0.1:5702",
      "BOXOFFICE_CLUSTER_BUS_PORT", "0"));
    assertEquals(new ClusterSettings(true, "127.0.0.1", 5702, List.of("127.0.0.1:5701", "127.0.0.1:5702"), 0),
      env.cluster());

    assertTrue(error("{" + nodes + "}", Map.of("BOXOFFICE_CLUSTER_ENABLED", "yes")).startsWith("cluster.enabled:"));
    assertTrue(error("{" + nodes + "}", Map.of("BOXOFFICE_CLUSTER_MEMBERS", "127.0.0.1")).startsWith("cluster.members:"));
    assertTrue(error("{" + nodes + ",\"cluster\":{\"memberPort\":0}}", Map.of()).startsWith("cluster.memberPort:"));
    assertTrue(error("{" + nodes + ",\"cluster\":{\"host\":\"a b\"}}", Map.of()).startsWith("cluster.host:"));
    assertTrue(error("{" + nodes + ",\"bridge\":{\"port\":\"x\"}}", Map.of()).startsWith("bridge.port:"));
    assertTrue(error("{" + nodes + ",\"bridge\":{\"port\":7000,\"inbound\":[\"x\"]}}", Map.of())
      .startsWith("bridge.inbound:"));
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
