// A React 19 app's TSX: the custom elements type-check with the package's JSX types.
import type {} from "installment-widget/react";

export const product = (
  <div>
    <installment-badge amount="299.90" currency="BYN" locale="ru" />
    <installment-picker amount="299.90" currency="BYN" name="plan" items="neman-14:1" />
  </div>
);
