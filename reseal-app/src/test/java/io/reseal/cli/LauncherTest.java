package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./reseal} launcher runs every command of the production jar with {@code reseal.jar}: a command missing
 * from its list would go to the dev jar, which a deployment does not have (and the mails tell people to run them).
 */
class LauncherTest {

    @Test
    void everyCommandOfTheProductionJarIsRunWithIt() throws Exception {
        String script = Files.readString(ComposeTest.ROOT.resolve("reseal"));
        Matcher appCommands = Pattern.compile("\\n\\s*([a-z|-]+)\\) jar=\"\\$app_jar\" ;;").matcher(script);
        assertThat(appCommands.find()).as("the launcher's list of reseal.jar commands").isTrue();
        Set<String> launched = new TreeSet<>(Arrays.asList(appCommands.group(1).split("\\|")));

        Set<String> commands = new TreeSet<>(ResealCommand.commandLine().getSubcommands().keySet());
        commands.remove("help");

        assertThat(launched).isEqualTo(commands).contains("relink", "finish", "approve-key");
    }
}
