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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Java example runs as pasted: compiled against this suite's class path (the pinned
 * SDK) and run in a JVM of its own, against the strict-mode emulator whose address replaces
 * 127.0.0.1:9336. A `System.out.println(…); // text` line asserts that it prints that text.
 */
class ReadmeTest {
    @Test
    void everyJavaExampleInTheReadmeRunsAsPasted(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(Emulator.ROOT.resolve("README.md"));
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).equals("```java")) starts.add(i);
        assertFalse(starts.isEmpty(), "the README has a Java example");
        for (int start : starts) {
            int end = lines.subList(start + 1, lines.size()).indexOf("```") + start + 1;
            String code = String.join("\n", lines.subList(start + 1, end));
            Emulator emulator = Emulator.strict();
            Matcher name = Pattern.compile("public class (\\w+)").matcher(code);
            assertTrue(name.find(), "README.md line " + (start + 1) + " declares a public class");
            Path source = Files.createDirectories(dir.resolve("line-" + (start + 1))).resolve(name.group(1) + ".java");
            Files.writeString(source, code.replace("http://127.0.0.1:9336", emulator.url));
            String classPath = System.getProperty("java.class.path");
            assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-cp", classPath, "-d", source.getParent().toString(), source.toString()), "README.md line " + (start + 1) + " compiles");

            Path printedTo = source.resolveSibling("output.txt");
            Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", source.getParent() + File.pathSeparator + classPath, name.group(1))
                .redirectOutput(printedTo.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!run.waitFor(120, TimeUnit.SECONDS)) {
                run.destroyForcibly();
                throw new AssertionError("README.md line " + (start + 1) + " did not end within 120 s");
            }
            String output = Files.readString(printedTo, StandardCharsets.UTF_8);
            assertEquals(0, run.exitValue(), "README.md line " + (start + 1) + ":\n" + output);
            List<String> printed = new ArrayList<>();
            Matcher comment = Pattern.compile("(?m)^\\s*System\\.out\\.println\\(.*\\); // (.+)$").matcher(code);
            while (comment.find()) printed.add(comment.group(1).trim());
            assertEquals(printed, List.of(output.strip().split("\n")), "README.md line " + (start + 1) + " prints what its comments say");
        }
    }
}
