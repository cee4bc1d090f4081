"""axe-core in a Playwright page: ``violations(page)`` lists what it finds."""

from pathlib import Path

AXE_JS = Path(__file__).with_name("axe.min.js")

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every WCAG rule axe runs by
    default); an empty list when there are none."""
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's
    # Content-Security-Policy (no inline script) refuses an injected tag.
    page.evaluate(AXE_JS.read_text())
    return page.evaluate(_RUN)
