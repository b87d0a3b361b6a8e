// The script-tag embed: <script type="module" src=".../embed.js"></script>
// Loads the widget and mounts a badge into every [data-installment-badge] element.
// Any failure is one console warning; the page carries on.
import init, { mountBadges } from "./installment_widget.js";

init()
  .then(() => mountBadges())
  .catch((error) => console.warn("installment widget: could not start:", error));
