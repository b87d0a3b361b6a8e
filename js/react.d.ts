// React 19's JSX types live in the "react" module: `import type {} from "installment-widget/react"`
// (or `/// <reference types="installment-widget/react" />`) makes a TSX app type-check
// <installment-badge amount="299.90" currency="BYN" />.
import type { InstallmentIntrinsicElements } from "./widget.js";

declare module "react" {
  namespace JSX {
    interface IntrinsicElements extends InstallmentIntrinsicElements {}
  }
}
