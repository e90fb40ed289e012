package boxoffice.store;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {

  @Test
  void onlyIdsThatCannotBreakAHashTagAreValid() {
    for (String id : new String[] {"a", "A1", "user_42", "x-y", "Z".repeat(64), "0"}) {
      assertTrue(Ids.valid(id), id);
      assertTrue(id.matches(Ids.PATTERN), id);
    }
    for (String id : new String[] {null, "", "Z".repeat(65), "{event:1}", "a}b", "a{b", "a:b", "a b", "a.b",
      "a/b", "é", "a\u0000", "ａ", "A１"}) {
      assertFalse(Ids.valid(id), String.valueOf(id));
      assertFalse(id != null && id.matches(Ids.PATTERN), String.valueOf(id));
    }
  }

  @Test
  void randomIdsAreValidAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.random();
      assertEquals(22, id.length());
      assertTrue(Ids.valid(id), id);
      assertTrue(seen.add(id), id);
    }
  }
}
