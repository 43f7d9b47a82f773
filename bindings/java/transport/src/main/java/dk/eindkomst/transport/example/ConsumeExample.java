package dk.eindkomst.transport.example;

import dk.eindkomst.transport.amqp.BeskedfordelerConsumer;
import dk.eindkomst.transport.amqp.ConsumerConfig;
import dk.eindkomst.transport.amqp.ConsumerListener;
import dk.eindkomst.transport.amqp.DeadLetter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Consumes a queue and prints counts: {@code ConsumeExample <host> <port> <queue> <user> <password> <dead-letter-dir>}.
 * Bad messages are written to the dead-letter directory (as against the real Beskedfordeler, where the
 * receiver cannot publish), then acknowledged.
 */
public final class ConsumeExample {
    private ConsumeExample() {}

    public static void main(String[] args) throws Exception {
        Path deadDir = Files.createDirectories(Path.of(args[5]));
        var config = ConsumerConfig.builder(args[0], Integer.parseInt(args[1]), args[2]).vhost("/").plain(args[3], args[4])
                .deadLetterSink(l -> {
                    Files.write(deadDir.resolve(l.messageId() + ".xml"), l.body(), StandardOpenOption.CREATE_NEW);
                    Files.writeString(deadDir.resolve(l.messageId() + ".error"), l.errorCode() + "\n" + l.errorText() + "\n");
                }).build();
        var listener = new ConsumerListener() {
            @Override public void duplicate(String messageId, String beskedId, boolean redelivered) { System.out.println("duplicate " + messageId); }
            @Override public void deadLettered(DeadLetter l) { System.out.println("dead letter " + l.messageId() + ": " + l.errorText()); }
            @Override public void disconnected(Exception cause) { System.out.println("disconnected: " + cause.getMessage()); }
        };
        try (var consumer = new BeskedfordelerConsumer(config, b -> {
            // Store the records durably here; return only when they are stored.
            System.out.println("message " + b.messageId() + ": " + b.records().size() + " records");
        }, listener)) {
            consumer.start();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
