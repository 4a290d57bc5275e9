package mrsemulator.sdk;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java example of the documentation (README.md, then docs/*.md but ci.md) runs as pasted: compiled
 * against this suite's class path (the pinned
 * SDK) and run in a JVM of its own, against the strict-mode emulator whose address replaces
 * 127.0.0.1:9336. A `System.out.println(…); // text` line asserts that it prints that text.
 */
class ReadmeTest {
    @Test
    void everyJavaExampleOfTheDocumentationRunsAsPasted(@TempDir Path dir) throws Exception {
        List<Path> documents = new ArrayList<>(List.of(Emulator.ROOT.resolve("README.md")));
        try (var docs = Files.list(Emulator.ROOT.resolve("docs"))) {
            // docs/ci.md's programs start the emulator in Docker (Testcontainers): test/recipes/run checks them.
            docs.filter(path -> path.toString().endsWith(".md") && !path.endsWith("ci.md")).sorted().forEach(documents::add);
        }
        int examples = 0;
        for (Path document : documents) {
            List<String> lines = Files.readAllLines(document);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).equals("```java")) continue;
                run(dir, Emulator.ROOT.relativize(document) + " line " + (i + 1), lines, i);
                examples++;
            }
        }
        assertTrue(examples > 0, "the documentation has a Java example");
    }

    private static void run(Path dir, String where, List<String> lines, int start) throws Exception {
        int end = lines.subList(start + 1, lines.size()).indexOf("```") + start + 1;
        String code = String.join("\n", lines.subList(start + 1, end));
        Emulator emulator = Emulator.strict();
        Matcher name = Pattern.compile("public class (\\w+)").matcher(code);
        assertTrue(name.find(), where + " declares a public class");
        Path source = Files.createDirectories(dir.resolve(where.replaceAll("\\W+", "-"))).resolve(name.group(1) + ".java");
        Files.writeString(source, code.replace("http://127.0.0.1:9336", emulator.url));
        String classPath = System.getProperty("java.class.path");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null,
            "-cp", classPath, "-d", source.getParent().toString(), source.toString()), where + " compiles");

        Path printedTo = source.resolveSibling("output.txt");
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", source.getParent() + File.pathSeparator + classPath, name.group(1))
            .redirectOutput(printedTo.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!run.waitFor(120, TimeUnit.SECONDS)) {
            run.destroyForcibly();
            throw new AssertionError(where + " did not end within 120 s");
        }
        String output = Files.readString(printedTo, StandardCharsets.UTF_8);
        assertEquals(0, run.exitValue(), where + ":\n" + output);
        List<String> printed = new ArrayList<>();
        Matcher comment = Pattern.compile("(?m)^\\s*System\\.out\\.println\\(.*\\); // (.+)$").matcher(code);
        while (comment.find()) printed.add(comment.group(1).trim());
        assertEquals(printed, List.of(output.strip().split("\n")), where + " prints what its comments say");
    }
}
