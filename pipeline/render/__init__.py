"""Stage 4, render: one writer per format, each reading the document model and the style sheet."""
