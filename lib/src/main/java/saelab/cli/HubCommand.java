package saelab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import saelab.hub.HubClient;
import saelab.hub.HubSettings;
import saelab.hub.ModelFiles;
import saelab.hub.RepoListing;

/** {@code saelab hub ...}: download model files from the Hugging Face hub into the local cache. */
@Command(name = "hub", mixinStandardHelpOptions = true,
        description = "Download model repositories from the Hugging Face hub (cache: SAELAB_HUB_CACHE, $SAELAB_HOME/hub"
                + " or ~/.cache/saelab/hub; a Python cache under HF_HUB_CACHE or ~/.cache/huggingface/hub is read too).",
        subcommands = {HubCommand.Download.class, HubCommand.Files.class})
final class HubCommand {

    /** Options shared by the subcommands. */
    static final class Common {
        @Option(names = "--revision", description = "branch, tag or 40-hex commit (default: after '@' in REPO, else main)")
        String revision;

        @Option(names = "--offline", description = "use the cache only (also HF_HUB_OFFLINE=1)")
        boolean offline;

        @Option(names = "--refresh", description = "ask the hub what a branch or tag points to now, even if the cache knows")
        boolean refresh;

        @Option(names = "--cache", paramLabel = "DIR", description = "the cache folder to use")
        Path cache;

        @Option(names = "--endpoint", paramLabel = "URL", description = "the hub's URL (default HF_ENDPOINT or https://huggingface.co)")
        URI endpoint;

        HubClient client() {
            HubSettings env = HubSettings.fromEnvironment();
            HubSettings.Builder s = env.toBuilder().offline(env.offline() || offline).revalidate(refresh);
            if (cache != null) {
                s.cacheDir(cache);
            }
            if (endpoint != null) {
                s.endpoint(endpoint);
            }
            return new HubClient(s.build());
        }

        /** {id, revision} from {@code owner/name[@revision]} and {@code --revision}. */
        String[] split(String repo) {
            int at = repo.indexOf('@');
            String rev = at < 0 ? revision : repo.substring(at + 1);
            if (at >= 0 && revision != null && !revision.equals(rev)) {
                throw new IllegalArgumentException("REPO " + repo + " names revision " + rev + " but --revision is " + revision);
            }
            return new String[] {at < 0 ? repo : repo.substring(0, at), rev};
        }
    }

    /** {@code saelab hub download REPO[@REV]}: fetch a model's files, print the snapshot folder. */
    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download a model's files and print the local snapshot folder.")
    static final class Download implements Callable<Integer> {
        @Parameters(paramLabel = "REPO", description = "owner/name or owner/name@revision, e.g. facebook/dinov2-base")
        String repo;

        @Option(names = "--include", paramLabel = "GLOB", description = "files to fetch (repeatable; default: config,"
                + " weights, preprocessor and tokenizer files)")
        List<String> include;

        @Mixin
        Common common;

        @Override
        public Integer call() {
            String[] idRev = common.split(repo);
            try (HubClient c = common.client()) {
                Path dir = c.snapshot(idRev[0], idRev[1], include == null || include.isEmpty() ? ModelFiles.DEFAULT : include);
                System.out.println(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            return 0;
        }
    }

    /** {@code saelab hub files REPO[@REV]}: the commit and the file paths. */
    @Command(name = "files", mixinStandardHelpOptions = true, description = "List a repository's files at a revision.")
    static final class Files implements Callable<Integer> {
        @Parameters(paramLabel = "REPO", description = "owner/name or owner/name@revision")
        String repo;

        @Mixin
        Common common;

        @Override
        public Integer call() {
            String[] idRev = common.split(repo);
            try (HubClient c = common.client()) {
                RepoListing l = c.listFiles(idRev[0], idRev[1]);
                System.out.println("commit " + l.commit());
                l.files().forEach(System.out::println);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            return 0;
        }
    }
}
