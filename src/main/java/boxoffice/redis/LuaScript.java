package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A script of {@code lua/}, with {@code lua/lib.lua} in front, called by EVALSHA. A node that does not
 * know it yet (a new or promoted master) answers NOSCRIPT; the call is then repeated with EVAL, which
 * also caches the script on that node. Both route by the script's keys, all in one event's slot.
 */
public final class LuaScript {

  private final String body;
  private final String sha;

  private LuaScript(String body) {
    this.body = body;
    this.sha = sha1(body);
  }

  /**
   * Reads {@code lua/lib.lua} and {@code lua/NAME.lua} from the classpath (the jar), never from a
   * {@code lua/} folder that happens to be in the working directory.
   */
  public static Future<LuaScript> load(Vertx vertx, String name) {
    return vertx.executeBlocking(() -> new LuaScript(resource("lua/lib.lua") + "\n" + resource("lua/" + name + ".lua")));
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IOException(path + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public Future<Response> call(ClusterConnection connection, List<String> keys, List<String> args) {
    return connection.send(request(keys, args, false))
      .recover(err -> err instanceof ErrorType e && e.is("NOSCRIPT")
        ? connection.send(request(keys, args, true))
        : Future.failedFuture(err));
  }

  /** The call: EVALSHA, or EVAL with the whole script (which also caches it on the node). */
  public Request request(List<String> keys, List<String> args, boolean eval) {
    Request request = Request.cmd(eval ? Command.EVAL : Command.EVALSHA).arg(eval ? body : sha).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
