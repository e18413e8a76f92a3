package dev.redisha.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The INFO text as Redis sends it: CRLF lines, section headers, values that hold colons. */
class InfoParserTest {
  @Test
  void readsFieldsAcrossSectionsWithColonsEmptyValuesAndNoFinalNewline() {
    String text = "# Server\r\nredis_version:7.0.15\r\nrun_id:abc123\r\nconfig_file:\r\n"
        + "executable:/usr/bin/redis-server\r\n\r\n# Persistence\r\nloading:0\r\nrdb_bgsave_in_progress:1\r\n\r\n"
        + "# Replication\r\nrole:slave\r\nmaster_host:::1\r\nmaster_port:6380\r\nmaster_link_status:up\r\n"
        + "master_sync_in_progress:0\r\nmaster_replid:feed\r\nmaster_repl_offset:4242\r\n\r\n"
        + "# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\ndb1:keys=4,expires=1,avg_ttl=0";
    RedisInfo info = InfoParser.parse(text);
    assertEquals("abc123", info.runId());
    assertEquals("slave", info.role());
    assertEquals("::1", info.masterHost(), "a value keeps every colon after the first");
    assertEquals(6380, info.masterPort());
    assertTrue(info.masterLinkUp());
    assertFalse(info.loading());
    assertEquals(4242, info.replOffset());
    assertEquals(7, info.keys(), "the last line counts without a final newline");
    assertEquals("", info.raw().get("config_file"));
    assertEquals("1", info.raw().get("rdb_bgsave_in_progress"));
    assertFalse(info.raw().keySet().stream().anyMatch(k -> k.startsWith("#") || k.isEmpty()));
  }

  @Test
  void listsConnectedReplicasOfAMasterAndAcceptsBareNewlines() {
    RedisInfo info = InfoParser.parse("role:master\nconnected_slaves:1\n"
        + "slave0:ip=10.0.0.2,port=6379,state=online,offset=99,lag=1\nmaster_repl_offset:100\n");
    assertTrue(info.isMaster());
    assertEquals(1, info.replicas().size());
    assertEquals("10.0.0.2", info.replicas().get(0).ip());
    assertEquals(99, info.replicas().get(0).offset());
    assertTrue(info.replicas().get(0).online());
  }
}
