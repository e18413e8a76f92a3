package dev.redisha.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** keepalived.conf syntax: blocks, comments, quoted words, and errors that name file and line. */
class KeepalivedParserTest {
  private static final Path SEED = Path.of("src/test/resources/keepalived/seed");
  private static final Path FILE = Path.of("test.conf");

  @Test
  void theSeedsBackupConfigReadsAsItsBlocksWithTheirLines() throws Exception {
    List<Statement> top = KeepalivedParser.parse(SEED.resolve("server12/keepalived.conf"));
    assertEquals(List.of("global_defs", "vrrp_script", "vrrp_instance"),
        top.stream().map(Statement::keyword).toList());
    Statement instance = top.get(2);
    // "vrrp_instance VI_1{" with no blank: the name is VI_1 and the brace opens the block.
    assertEquals(List.of("VI_1"), instance.args());
    assertEquals(13, instance.line());
    Statement priority = instance.children().stream().filter(s -> s.keyword().equals("priority")).findFirst().orElseThrow();
    assertEquals(List.of("99"), priority.args());
    assertEquals(18, priority.line());
    Statement vips = instance.children().stream().filter(s -> s.keyword().equals("virtual_ipaddress")).findFirst().orElseThrow();
    assertEquals("192.168.1.120", vips.children().get(0).keyword());
    Statement script = top.get(1).children().get(0);
    assertEquals(List.of("/usr/local/scripts/redis_monitor.sh"), script.args());
  }

  @Test
  void commentsQuotesOneLineBlocksAndABraceOnTheNextLine() throws Exception {
    String text = """
        ! a comment line
        # another
        vrrp_script chk {   # a comment after a brace
          script "/bin/check redis 6379"   ! the quoted command is one word
        }
        vrrp_instance R
        {
          virtual_ipaddress { 10.0.0.5/24 dev eth1 }
          nopreempt
        }
        """;
    List<Statement> top = KeepalivedParser.parse(FILE, text);
    assertEquals(2, top.size());
    assertEquals(List.of("/bin/check redis 6379"), top.get(0).children().get(0).args());
    Statement instance = top.get(1);
    assertEquals(6, instance.line());
    assertEquals(List.of("virtual_ipaddress", "nopreempt"), instance.children().stream().map(Statement::keyword).toList());
    Statement vip = instance.children().get(0).children().get(0);
    assertEquals("10.0.0.5/24", vip.keyword());
    assertEquals(List.of("dev", "eth1"), vip.args());
    assertEquals(8, vip.line());
  }

  @Test
  void aBlockThatIsNeverClosedIsReportedAtTheLineThatOpenedIt() {
    String text = "global_defs {\n  router_id x\n}\nvrrp_instance VI_1 {\n  priority 100\n";
    KeepalivedConfigException e = assertThrows(KeepalivedConfigException.class, () -> KeepalivedParser.parse(FILE, text));
    assertEquals("test.conf:4: the block opened here is not closed: a '}' is missing before the end of the file", e.getMessage());
  }

  @Test
  void aStrayClosingBraceAndAnOpenQuoteNameTheirLines() {
    KeepalivedConfigException stray = assertThrows(KeepalivedConfigException.class,
        () -> KeepalivedParser.parse(FILE, "global_defs {\n}\n}\n"));
    assertEquals("test.conf:3: '}' closes no block", stray.getMessage());
    KeepalivedConfigException quote = assertThrows(KeepalivedConfigException.class,
        () -> KeepalivedParser.parse(FILE, "vrrp_script a {\n  script \"/bin/x\n}\n"));
    assertEquals("test.conf:2: a quoted string is not closed on its line", quote.getMessage());
    KeepalivedConfigException brace = assertThrows(KeepalivedConfigException.class,
        () -> KeepalivedParser.parse(FILE, "\n{\n}\n"));
    assertTrue(brace.getMessage().startsWith("test.conf:2: "), brace.getMessage());
  }
}
