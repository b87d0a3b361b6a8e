// The script-tag embed: <script type="module" src="/widget/embed.js"></script>
// Defines <installment-badge> and <installment-picker>, and mounts a badge or a picker on
// every [data-installment-badge] and [data-installment-picker] element, now and later.
import { embed } from "./widget.js";

embed();
