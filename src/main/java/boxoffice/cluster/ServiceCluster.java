package boxoffice.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * A Vert.x on the clustered event bus of the service's instances: Hazelcast as the cluster manager,
 * joining through an explicit member list (TCP-IP; multicast and auto-detection off), bound to and
 * published as {@code cluster.host}. Its member port is {@code cluster.memberPort}, or the next free
 * one above it, so that instances and consumers on one machine need nothing but the member list. A
 * member that stops answering is dropped within seconds, not Hazelcast's default minute, so that
 * the others stop sending it messages.
 */
public final class ServiceCluster {

  /** Hazelcast's cluster name: another Hazelcast cluster on the same hosts is never joined. */
  private static final String NAME = "boxoffice";
  private static final String NO_HEARTBEAT_SECONDS = "5";
  /** Member ports tried from cluster.memberPort up. */
  private static final int MEMBER_PORTS = 20;

  private ServiceCluster() {
  }

  /** The event bus options of a member: it listens on, and is reached at, {@code host}. */
  public static VertxOptions options(VertxOptions base, ClusterSettings settings) {
    return new VertxOptions(base).setEventBusOptions(new EventBusOptions(base.getEventBusOptions())
      .setHost(settings.host()).setPort(settings.busPort()).setClusterPublicHost(settings.host()));
  }

  /**
   * Builds a clustered Vert.x from {@code builder} (whose options come from {@link #options}).
   * {@code lite}: a member that keeps none of the cluster's data (a consumer that may come and go).
   */
  public static Future<Vertx> join(VertxBuilder builder, ClusterSettings settings, boolean lite) {
    return builder.withClusterManager(new HazelcastClusterManager(hazelcast(settings, lite))).buildClustered();
  }

  /** The member address ({@code host:port}) a clustered Vert.x took, for the logs. */
  public static String member(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager instanceof HazelcastClusterManager hazelcast
      ? hazelcast.getHazelcastInstance().getCluster().getLocalMember().getAddress().toString()
      : "none";
  }

  static Config hazelcast(ClusterSettings settings, boolean lite) {
    Config config = new Config().setClusterName(NAME).setLiteMember(lite);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster on close (the service closes Vert.x on SIGTERM)
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    // the first member of a cluster waits this long for others before it forms the cluster alone
    config.setProperty("hazelcast.wait.seconds.before.join", "2");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", NO_HEARTBEAT_SECONDS);
    // members started apart that each formed a cluster of their own merge soon, not after 5 minutes
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
    // Hazelcast collects its own metrics every few seconds for its management tools; none reads them here
    config.getMetricsConfig().setEnabled(false);
    NetworkConfig network = config.getNetworkConfig()
      .setPort(settings.memberPort())
      .setPortAutoIncrement(true)
      .setPortCount(MEMBER_PORTS);
    if (settings.host().matches("[0-9.]+")) { // Hazelcast's interfaces are IP addresses
      network.getInterfaces().setEnabled(true).addInterface(settings.host());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
    // the structures Vert.x keeps in Hazelcast, as in vertx-hazelcast's default-cluster.xml
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
      .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }
}
