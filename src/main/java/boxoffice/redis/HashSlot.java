package boxoffice.redis;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Cluster hash slots: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384. */
public final class HashSlot {

  public static final int SLOTS = 16384;
  private static final Map<Integer, String> PROBES = new ConcurrentHashMap<>();

  private HashSlot() {
  }

  public static int of(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        key = key.substring(open + 1, close);
      }
    }
    int crc = 0;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc % SLOTS;
  }

  /** A key that lives in the given slot, to address the node that serves it (found once, then kept). */
  static String probeKey(int slot) {
    return PROBES.computeIfAbsent(slot, s -> {
      for (int i = 0; ; i++) {
        String key = "boxoffice:probe:" + i;
        if (of(key) == s) {
          return key;
        }
      }
    });
  }
}
