package boxoffice.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

import java.util.function.Function;

/**
 * A codec for bodies nobody changes once sent: delivered in the process as they are, without the
 * copy the default codecs make, and sent to other processes as length-prefixed JSON text.
 */
final class HandedOver<T> implements MessageCodec<T, T> {

  private final String name;
  private final Function<T, Buffer> text;
  private final Function<Buffer, T> parse;

  HandedOver(String name, Function<T, Buffer> text, Function<Buffer, T> parse) {
    this.name = name;
    this.text = text;
    this.parse = parse;
  }

  @Override
  public void encodeToWire(Buffer wire, T body) {
    Buffer json = text.apply(body);
    wire.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer wire) {
    int length = wire.getInt(pos);
    return parse.apply(wire.getBuffer(pos + 4, pos + 4 + length));
  }

  @Override
  public T transform(T body) {
    return body;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
