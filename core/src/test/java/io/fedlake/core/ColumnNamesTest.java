package io.fedlake.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ColumnNamesTest {

    @Test
    void dotsSpacesAndDelimitersBecomeUnderscoresWhileLettersOfAnyScriptDigitsAndHyphensStay() {
        Map<String, String> m = ColumnNames.normalise(List.of("CheckingAccountStatus.lt.0", "monthly income", "2nd_loan", "größe", "a-b", "x(y)=z"));

        assertEquals(List.of("CheckingAccountStatus_lt_0", "monthly_income", "2nd_loan", "größe", "a-b", "x_y__z"), List.copyOf(m.values()));
        assertEquals(Map.of("CheckingAccountStatus.lt.0", "CheckingAccountStatus_lt_0", "monthly income", "monthly_income", "x(y)=z", "x_y__z"),
                ColumnNames.renamed(m));
    }

    @Test
    void aRenameThatWouldCollideGetsASuffixAndKeptNamesWinCaseInsensitively() {
        Map<String, String> m = ColumnNames.normalise(List.of("a.b", "A_B", "a b", "c", "C"));

        assertEquals("A_B", m.get("A_B"));
        assertEquals("a_b_2", m.get("a.b"));
        assertEquals("a_b_3", m.get("a b"));
        assertEquals("c", m.get("c"));
        assertEquals("C_2", m.get("C"));
        assertEquals(5, m.values().stream().map(String::toLowerCase).distinct().count());
    }
}
