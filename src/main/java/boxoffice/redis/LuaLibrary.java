package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.impl.types.ErrorType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The scripts of {@code lua/} as one Redis Functions library: {@code lua/lib.lua}, then each script
 * as a function that binds its keys and runs the script's body. Loaded once on each master
 * ({@code FUNCTION LOAD}, replicated to its replicas and kept in their data), called by {@code FCALL}:
 * a call runs the script alone, not the library's definitions too, as {@code EVALSHA} of the two
 * files together did. Names carry the library's hash ({@code boxoffice_<hash>}, {@code hold_<hash>}),
 * so that the instances of two versions of the service never call each other's scripts.
 */
public final class LuaLibrary {

  private final String code;
  private final String version;

  private LuaLibrary(String code, String version) {
    this.code = code;
    this.version = version;
  }

  /**
   * Reads {@code lua/lib.lua} and {@code lua/NAME.lua} of each script name from the classpath (the
   * jar), never from a {@code lua/} folder that happens to be in the working directory.
   */
  public static Future<LuaLibrary> load(Vertx vertx, List<String> scripts) {
    return vertx.executeBlocking(() -> {
      StringBuilder body = new StringBuilder(resource("lua/lib.lua"));
      for (String script : scripts) {
        body.append("\nredis.register_function('").append(script).append("_%s', function(KEYS, ARGV)\nbind(KEYS)\n")
          .append(resource("lua/" + script + ".lua")).append("\nend)\n");
      }
      String version = sha1(body.toString()).substring(0, 12);
      return new LuaLibrary("#!lua name=boxoffice_" + version + "\n" + body.toString().replace("_%s'", "_" + version + "'"),
        version);
    });
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = LuaLibrary.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IOException(path + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** {@code FCALL} of a script: its function, routed by the keys (all in one event's slot). */
  public Request call(String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(Command.FCALL).arg(script + "_" + version).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  /** {@code FUNCTION LOAD REPLACE}: the library on the node it is sent to, whether it had it or not. */
  public Request loading() {
    return Request.cmd(Command.FUNCTION).arg("LOAD").arg("REPLACE").arg(code);
  }

  /** Whether a call failed because its node does not have this library yet (a new or emptied master). */
  public static boolean isMissing(Throwable err) {
    return err instanceof ErrorType && err.getMessage() != null && err.getMessage().contains("Function not found");
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
