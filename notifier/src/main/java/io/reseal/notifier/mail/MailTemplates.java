package io.reseal.notifier.mail;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Map;

/**
 * The two parts of one mail, compiled from {@code io/reseal/notifier/mail/<name>.txt.mustache} and
 * {@code <name>.html.mustache}: values are HTML-escaped in the HTML part and written as they are in the text part.
 * Immutable and thread-safe, as compiled mustache templates are.
 */
final class MailTemplates {

    private final Mustache text;
    private final Mustache html;

    private MailTemplates(Mustache text, Mustache html) {
        this.text = text;
        this.html = html;
    }

    static MailTemplates named(String name) {
        DefaultMustacheFactory html = new DefaultMustacheFactory("io/reseal/notifier/mail");
        DefaultMustacheFactory text = new DefaultMustacheFactory("io/reseal/notifier/mail") {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return new MailTemplates(text.compile(name + ".txt.mustache"), html.compile(name + ".html.mustache"));
    }

    /** The text part for {@code view}. */
    String text(Map<String, Object> view) {
        return render(text, view);
    }

    /** The HTML part for {@code view}. */
    String html(Map<String, Object> view) {
        return render(html, view);
    }

    private static String render(Mustache template, Map<String, Object> view) {
        StringWriter out = new StringWriter();
        template.execute(out, view);
        return out.toString();
    }
}
