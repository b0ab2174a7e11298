package saelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/** Text fields survive a round trip through a CSV reader, whatever characters a dataset's class names hold. */
class CsvFieldTest {

    @Test
    void namesWithCommasQuotesAndLineBreaksReadBackUnchanged() {
        List<String> names = List.of("plain", "a, b", "say \"hi\"", "two\nlines", "cr\rhere", "", "mixed, \"all\"\r\nof them");
        StringBuilder csv = new StringBuilder("id,name\n");
        for (int i = 0; i < names.size(); i++) {
            csv.append(i).append(',').append(CsvField.of(names.get(i))).append('\n');
        }
        Table t = Table.read().usingOptions(CsvReadOptions.builder(new StringReader(csv.toString())).header(true)
                .columnTypes(n -> ColumnType.STRING));
        assertEquals(names.size(), t.rowCount());
        for (int i = 0; i < names.size(); i++) {
            assertEquals(names.get(i), t.stringColumn("name").get(i), "row " + i);
        }
        assertEquals("plain", CsvField.of("plain"));
        assertEquals("", CsvField.of(null));
    }
}
