// A merchant's page that needs only the elements: the embed's split build, no package root.
import "installment-widget/embed";
import "installment-widget/installment-widget.css";
