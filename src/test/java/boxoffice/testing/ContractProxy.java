package boxoffice.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

import java.util.List;

/**
 * An HTTP proxy on a free port of this machine, in front of the service, that holds every exchange
 * passing through it to the API's contract ({@link Contract}): for clients the tests do not drive
 * themselves, such as the k6 scenarios. A departure is kept for the test (ContractExtension); the
 * answer goes on to the client as the service gave it. Answers are read whole before they are passed
 * on, so it is not for the live feed's streams.
 */
public final class ContractProxy {

  /** Headers of one connection, not of the exchange. */
  private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "transfer-encoding", "host");

  private final HttpServer server;
  private final HttpClient client;

  private ContractProxy(HttpServer server, HttpClient client) {
    this.server = server;
    this.client = client;
  }

  public static ContractProxy start(Vertx vertx, int servicePort) {
    HttpClient client = vertx.createHttpClient();
    HttpServer server = vertx.createHttpServer();
    server.requestHandler(request -> forward(client, servicePort, request));
    return new ContractProxy(server.listen(0, "127.0.0.1").await(), client);
  }

  private static void forward(HttpClient client, int servicePort, HttpServerRequest request) {
    MultiMap headers = withoutHopByHop(request.headers());
    request.body()
      .compose(body -> client.request(new RequestOptions().setMethod(request.method()).setHost("127.0.0.1")
          .setPort(servicePort).setURI(request.uri()).setHeaders(headers))
        .compose(out -> out.send(body))
        .compose(answer -> answer.body().compose(answerBody -> {
          Contract.Exchange exchange = new Contract.Exchange(request.method(), request.uri(), headers,
            body.length() == 0 ? null : body, answer.statusCode(), answer.headers(), answerBody);
          HttpServerResponse response = request.response().setStatusCode(answer.statusCode());
          response.headers().addAll(withoutHopByHop(answer.headers()));
          // answered once checked: when the client has its last answer, every departure is kept
          return Contract.get().check(exchange).transform(checked -> response.end(answerBody));
        })))
      .onFailure(err -> {
        if (!request.response().ended()) {
          request.response().setStatusCode(502).end();
        }
      });
  }

  private static MultiMap withoutHopByHop(MultiMap headers) {
    MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(headers);
    HOP_BY_HOP.forEach(copy::remove);
    return copy;
  }

  public int port() {
    return server.actualPort();
  }

  public void close() {
    server.close().await();
    client.close().await();
  }
}
