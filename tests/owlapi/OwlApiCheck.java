// Load an ontology document with the OWL API (the library Protégé is built
// on) and report everything that would make Protégé or an OWL 2 DL reasoner
// read it differently from what the file says.
//
// Usage: java -cp <owlapi jars>:<dir> OwlApiCheck FILE [turtle|rdfxml|ntriples]
//
// Standard output gets one "declared KIND IRI" line per entity that is not an
// individual (sorted), a "count KIND N" line per entity kind, then one
// "problem: ..." line per fault: warnings the parser logged, triples it could
// not turn into axioms, declarations it had to guess, IRIs used with two
// kinds (punning) and every OWL 2 DL profile violation. Exit status: 0 clean,
// 1 problems found, 2 the file could not be loaded at all.

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.NTriplesDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyID;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class OwlApiCheck {
    private OwlApiCheck() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: OwlApiCheck FILE [turtle|rdfxml|ntriples]");
            System.exit(2);
        }
        File file = new File(args[0]);
        String syntax = args.length == 2 ? args[1] : "turtle";
        OWLDocumentFormat format;
        switch (syntax) {
            case "turtle": format = new TurtleDocumentFormat(); break;
            case "rdfxml": format = new RDFXMLDocumentFormat(); break;
            case "ntriples": format = new NTriplesDocumentFormat(); break;
            default:
                System.err.println("unknown syntax " + syntax
                    + "; expected turtle, rdfxml or ntriples");
                System.exit(2);
                return;
        }
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        // The graph imports nothing; a stray owl:imports must not reach the
        // network, so it is reported by the profile check instead.
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        // The OWL API reports parse warnings only through its logger
        // (slf4j-simple writes to System.err): catch them to count them.
        PrintStream realErr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(
                new FileDocumentSource(file, format), config);
        } catch (Exception err) {
            System.setErr(realErr);
            realErr.print(logged.toString(StandardCharsets.UTF_8));
            realErr.println(file + ": the OWL API cannot load it: " + err);
            System.exit(2);
            return;
        }
        List<String> problems = new ArrayList<>();
        reportLoader(manager.getOntologyFormat(ontology), problems);
        reportEntities(ontology, problems);
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            problems.add("OWL 2 DL violation: " + violation.toString().replace('\n', ' '));
        }
        System.setErr(realErr);
        for (String line : logged.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                problems.add("parser log: " + line.strip());
            }
            if (!line.isBlank()) {
                realErr.println(line);
            }
        }
        System.out.println("axioms " + ontology.getAxiomCount());
        OWLOntologyID id = ontology.getOntologyID();
        System.out.println("ontology " + id.getOntologyIRI().map(IRI::toString).orElse("-")
            + " version " + id.getVersionIRI().map(IRI::toString).orElse("-"));
        // What Protégé shows under "Ontology header": one line per property.
        new TreeSet<>(ontology.annotations()
            .map(a -> "header " + a.getProperty().getIRI())
            .collect(Collectors.toList()))
            .forEach(System.out::println);
        for (String problem : new TreeSet<>(problems)) {
            System.out.println("problem: " + problem);
        }
        System.out.println("problems " + problems.size());
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    private static void reportLoader(OWLDocumentFormat format, List<String> problems) {
        if (format == null) {
            problems.add("the loader recorded no document format");
            return;
        }
        if (!format.getOntologyLoaderMetaData().isPresent()) {
            problems.add("the loader recorded no metadata (not an RDF syntax?)");
            return;
        }
        OWLOntologyLoaderMetaData meta = format.getOntologyLoaderMetaData().get();
        System.out.println("triples " + meta.getTripleCount());
        meta.getUnparsedTriples().forEach(
            t -> problems.add("unparsed triple: " + t));
        meta.getGuessedDeclarations().forEach(
            (iri, kind) -> problems.add("guessed declaration: " + iri + " as "
                + kind.getSimpleName()));
    }

    private static void reportEntities(OWLOntology ontology, List<String> problems) {
        Map<String, Set<String>> kinds = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        ontology.signature().forEach(entity -> {
            String kind = entity.getEntityType().getName().replace(" ", "");
            kinds.computeIfAbsent(entity.getIRI().toString(), k -> new TreeSet<>())
                .add(kind);
            counts.merge(kind, 1, Integer::sum);
        });
        kinds.forEach((iri, set) -> {
            if (set.size() > 1) {
                problems.add("punned IRI: " + iri + " is " + String.join(", ", set));
            }
            for (String kind : set) {
                if (!kind.equals("NamedIndividual")) {
                    System.out.println("declared " + kind + " " + iri);
                }
            }
        });
        counts.forEach((kind, n) -> System.out.println("count " + kind + " " + n));
    }
}
