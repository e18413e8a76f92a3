package dev.redisha.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What is read out of a keepalived user's script, and what is left alone because only the shell knows it. */
class ScriptFactsTest {

  @Test
  void passwordsInTheFormsRedisCliTakesAreFoundWithTheirLines() {
    ScriptFacts f = ScriptFacts.of(Path.of("x.sh"), String.join("\n",
        "#!/bin/sh",
        "# redis-cli -a commented-out",
        "redis-cli -h 10.0.0.2 -p 6380 -a 'with space' PING",
        "R=\"/opt/redis-cli -a \"",
        "redis-cli --pass plain INFO",
        "export REDISCLI_AUTH=fromenv",
        "redis-cli -a $PASS PING",
        "redis-cli REPLICAOF no one"));
    assertEquals(List.of(new ScriptFacts.Found("with space", 3), new ScriptFacts.Found("plain", 5),
        new ScriptFacts.Found("fromenv", 6)), f.passwords());
    assertEquals(List.of(new ScriptFacts.Found("$PASS", 7)), f.unreadablePasswords());
    assertEquals(List.of(new ScriptFacts.Found("6380", 3)), f.ports());
    assertEquals(List.of(new ScriptFacts.Found("10.0.0.2", 3)), f.addresses());
    assertEquals(List.of(new ScriptFacts.Found("REPLICAOF", 8)), f.roleChanges());
  }
}
