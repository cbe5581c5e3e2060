package io.reseal.pipeline.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.ops.KafkaReadiness;
import io.reseal.pipeline.ops.OpsServer;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Reseal service process does around its work, the same for all four: a worker serves
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} on {@code RESEAL_OPS_PORT} ({@link #withOps});
 * the process runs until SIGTERM, then stops the service after the record in hand, and ends with an exit code
 * its supervisor can act on ({@link #runUntilStopped}). Loading and validating the configuration comes before
 * (the application's service commands); each service module's {@code *Main} builds the service itself.
 * Stateless.
 */
public final class ServiceRuntime {

    /** The exit code of a service that stopped working on its own (a fatal Kafka error): restart it. */
    public static final int EXIT_STOPPED_WORKING = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRuntime.class);

    private ServiceRuntime() {}

    /**
     * Starts a worker, counting into a fresh Prometheus registry, with its {@link OpsServer} on the port
     * {@code RESEAL_OPS_PORT} names: live while the worker runs, ready when Kafka answers too. The returned
     * service stops the worker, then the readiness check and the server. If the server cannot start, the worker
     * is stopped again and the error thrown.
     *
     * @throws InvalidConfigException if {@code RESEAL_OPS_PORT} is not a port
     */
    public static RunningService withOps(String name, KafkaConfig kafka, Function<String, String> environment,
                                         Function<MeterRegistry, RunningService> start) {
        int port;
        try {
            port = OpsServer.port(environment);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage());
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunningService worker = start.apply(registry);
        KafkaReadiness readiness = new KafkaReadiness(new KafkaClients(kafka), "reseal-" + name + "-readiness");
        AutoCloseable stopWorker = () -> {
            try {
                worker.close();
            } finally {
                readiness.close();
            }
        };
        OpsServer ops;
        try {
            ops = OpsServer.start(port, registry, worker::isRunning, Map.of("kafka", readiness::isReachable));
        } catch (RuntimeException e) {
            try {
                stopWorker.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        LOG.info("{}: /health and /metrics on port {}", name, ops.port());
        return RunningService.of(() -> {
            try {
                stopWorker.close();
            } finally {
                ops.close();
            }
        }, worker::isRunning);
    }

    /**
     * Runs {@code service} until the JVM is asked to stop (SIGTERM, Ctrl-C), when a shutdown hook closes it.
     *
     * @return {@code 0} after a requested stop, or {@link #EXIT_STOPPED_WORKING} as soon as the service stops
     *         working on its own (the shutdown hook then closes it as the process exits)
     */
    public static int runUntilStopped(String name, RunningService service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("reseal: stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "reseal-shutdown"));
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (!service.isRunning()) {
                LOG.error("{} stopped working; exiting so that it can be restarted", name);
                return EXIT_STOPPED_WORKING;
            }
        }
        return 0;
    }
}
