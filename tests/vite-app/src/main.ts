// A merchant's code: the package from npm, its types, a badge and a picker.
import { defineElements, init, split, type InstallmentSelection } from "installment-widget";
// The script-tag embed too, as a page with both would have it: still one wasm instance.
import "installment-widget/embed";
// The widgets' reserved space: without it they stay hidden rather than move the page.
import "installment-widget/installment-widget.css";

defineElements();

const app = document.getElementById("app")!;
const badge = document.createElement("installment-badge");
badge.setAttribute("amount", "299.90");
badge.setAttribute("currency", "BYN");
const picker = document.createElement("installment-picker");
picker.setAttribute("amount", "299.90");
picker.setAttribute("currency", "BYN");
picker.setAttribute("name", "plan");
app.append(badge, picker);

picker.addEventListener("installment-select", (event) => {
  const choice: InstallmentSelection | null = event.detail;
  document.getElementById("choice")!.textContent = choice ? `${choice.provider} ${choice.months} ${choice.total}` : "";
});

// The calculator is there too, typed, once the wasm is loaded: three exact parts of 100.00.
init().then(() => {
  const parts: string[] = split("100.00", "BYN", 3);
  document.title = parts.join(" + ");
});
