// HTML to text: what a reader sees, in paragraphs, without code, styles or markup.
import { describe, expect, it } from "vitest";
import { decodeEntities, htmlTitle, htmlToText } from "../../../cli/ingest/html-text.js";

describe("htmlToText", () => {
  it("drops scripts, styles, comments, the head and other non-content elements", () => {
    const html = `<!doctype html><html><head><title>T</title><style>.a{color:red}</style>
      <script>var secret = "leak";</script></head><body><!-- hidden note -->
      <noscript>enable js</noscript><template><p>tpl</p></template>
      <svg><text>chart</text></svg><p>Visible</p><script type="module">import x from "y"</script></body></html>`;
    expect(htmlToText(html)).toBe("Visible");
  });

  it("drops an unclosed script to the end of the document", () => {
    expect(htmlToText("<p>Kept</p><script>while(true){}")).toBe("Kept");
  });

  it("turns block elements into paragraphs and list items into dashes", () => {
    const html =
      "<h1>Leave</h1><p>Employees get\n   25 days.</p><div>Ask <b>HR</b>.<br>Thanks</div><ul><li>one</li><li>two</li></ul>";
    expect(htmlToText(html)).toBe(
      "Leave\n\nEmployees get 25 days.\n\nAsk HR.\nThanks\n\n- one\n- two",
    );
  });

  it("keeps the line breaks of <pre> blocks", () => {
    expect(htmlToText("<p>Run:</p><pre><code>npm install\nnpm run dev</code></pre>")).toBe(
      "Run:\n\nnpm install\nnpm run dev",
    );
    expect(htmlToText("Before<pre>a\nb</pre>after")).toBe("Before\n\na\nb\n\nafter");
  });

  it("decodes entities after removing tags, so escaped markup stays text", () => {
    expect(htmlToText("<p>a &lt;b&gt; &amp; &#233;t&#xE9; &hellip;&nbsp;x &bogus;</p>")).toBe(
      "a <b> & été … x &bogus;",
    );
  });

  it("separates table cells", () => {
    expect(htmlToText("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")).toBe(
      "a b\n\nc",
    );
  });
});

describe("htmlTitle", () => {
  it("prefers <title>, falls back to the first <h1>, else null", () => {
    expect(htmlTitle("<title> A &amp; B </title><h1>H</h1>")).toBe("A & B");
    expect(htmlTitle("<title>  </title><h1 class=x>The <em>H</em></h1>")).toBe("The H");
    expect(htmlTitle("<p>none</p>")).toBeNull();
  });
});

describe("decodeEntities", () => {
  it("leaves invalid code points alone", () => {
    expect(decodeEntities("&#0; &#x110000; &#65;")).toBe("&#0; &#x110000; A");
  });
});
