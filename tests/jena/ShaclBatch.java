// Validate several data files against one shapes directory with Jena SHACL,
// in one JVM, and print what the comparison with pySHACL needs.
//
// Usage: java -cp JENA_CLASSPATH ShaclBatch.java SHAPES_DIR DATA_FILE...
// For each data file, one line "# FILE" then one line per result:
// SEVERITY<TAB>FOCUS<TAB>SOURCE_SHAPE<TAB>MESSAGES (sorted, "|"-joined).

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.shacl.validation.ReportEntry;
import org.apache.jena.sparql.graph.GraphFactory;

public class ShaclBatch {
    public static void main(String[] args) {
        Graph shapesGraph = GraphFactory.createDefaultGraph();
        File[] files = new File(args[0]).listFiles((dir, name) -> name.endsWith(".ttl"));
        Arrays.sort(files);
        for (File file : files) {
            RDFDataMgr.read(shapesGraph, file.getPath());
        }
        Shapes shapes = Shapes.parse(shapesGraph);
        for (int i = 1; i < args.length; i++) {
            Graph data = RDFDataMgr.loadGraph(args[i]);
            ValidationReport report = ShaclValidator.get().validate(shapes, data);
            System.out.println("# " + args[i]);
            for (ReportEntry entry : report.getEntries()) {
                System.out.println(entry.severity().level().getLocalName() + "\t"
                    + text(entry.focusNode()) + "\t" + text(entry.source()) + "\t"
                    + String.valueOf(entry.message()).replace("\n", " "));
            }
        }
    }

    private static String text(Node node) {
        if (node == null) {
            return "";
        }
        return node.isURI() ? node.getURI() : node.isBlank() ? "_:" : node.toString();
    }
}
