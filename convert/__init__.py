"""cxr-edge conversion side: TFLite export, evaluation through edge, reports and the accuracy gate."""
