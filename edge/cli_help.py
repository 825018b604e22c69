"""edge-classify's longer help texts, kept out of edge.cli so that its options and its flow read as one page:
what --help says of the command and of the options with the most to say, word for word as it said them beside
each option (edge.help_output fits them to the terminal)."""

from __future__ import annotations

# the command's own help: what it prints, its exit codes, the input check, examples
CLASSIFY_HELP = (
    "Classify chest X-ray images (PNG, JPEG, 16-bit PNG, DICOM with the [dicom] extra) with a "
    "cxr-edge .tflite model. Prints one line per image: path, label, calibrated probability, in the order the "
    "inputs were given (a name that gave no film: its error there). "
    "Give files, folders (their images are classified in name order; a film that ran out of memory beside "
    "others is tried again alone after them, and its line comes last) or '-' to read paths "
    "from standard input (one a line, or NUL-separated as find -print0 gives them). In the text output a file name "
    "holding a control character (newline, tab) or starting with a double quote is printed as a JSON "
    "string (\"scan\\n1.png\"). Exit code: 0 all classified, 1 some files failed (the rest are "
    "still classified), 2 usage or model error, or answers that cannot be written (a full disk), 130 interrupted, 141 standard output's reader went "
    "away (| head; a --watch stops with 2 instead, and a line that says so).\n\n"
    "Each image is also checked against the layout of the training images (edge.typicality): "
    "one that looks unlike them (upside down, inverted, rotated, not a chest X-ray) gets a "
    "warning on stderr (in --json and --csv: an \"atypical\" field instead), whatever label it is given; in the text output its line ends in 'flagged', and the warning's words are said at the first flagged film only (a --watch: again after each --tally-every line); with --refuse-atypical it gets no label "
    "and counts as a failed file. A DICOM film whose own header says it is no frontal chest film (Modality CT, "
    "BodyPartExamined SKULL, ViewPosition LL, For Processing) is flagged the same way, with or without an input "
    "check, the header's words given as the reason (--json: a \"header_says\" field; --csv: a header_says column).\n\n"
    "Examples:\n\n"
    "  edge-classify xray.png --model model_int8.tflite\n\n"
    "  edge-classify scans/ --recursive --json --model model_int8.tflite > out.jsonl\n\n"
    "  edge-classify scans/ --threshold COVID=0.25 --model model_int8.tflite   (a high-sensitivity rule: COVID whenever p >= 0.25)\n\n"
    "  edge-classify xray.png --explain maps/ --model model_int8.tflite   (maps/xray.png: where it found its evidence)\n\n"
    "  edge-classify incoming/ --watch --json --model model_int8.tflite >> answers.jsonl   (each film as it arrives)\n\n"
    "  edge-classify --card --model model_int8.tflite   (what this file scored, on what data)\n\n"
    "  edge-classify --info --model model_int8.tflite\n\n"
    "  edge-classify --selftest --model model_int8.tflite"
)

# --json: every field of an answer line and of an error line
JSON_HELP = (
    "Print JSON lines: {file, label, probability, probabilities, atypical "
    "(null: the file has no input check), header_says (where a DICOM film's header says it is "
    "no frontal chest film: why; atypical is then true, and input_check the input check's own "
    "verdict, null: none), rule (when a threshold rule is in force: it decided the label, whichever class it gave), "
    "top_k (with --top-k above 1), frames (a file of several frames, not all the same: "
    "how many; frame 1 is what was classified), map, evidence_at_border (null: "
    "no evidence found) and covered_probability, or map_error (with "
    "--explain), time and written (with --watch; "
    "--skip-answered reads them), model and model_sha256 (the model file's path and SHA-256), file_bytes (a name that is not UTF-8: its bytes "
    "in base64)} or {file, error, time and written with --watch, "
    "file_bytes, and atypical: true for a film refused by "
    "--refuse-atypical, with header_says where its DICOM header refused it, "
    "and model, model_sha256 for such a refusal}."
)

# --threshold: what a rule of one class's own threshold does
THRESHOLD_HELP = (
    "Give CLASS whenever its probability is at least P, even when another class is more probable (below P: the "
    "most probable other class). A P below 1/K (K classes; 0.5 for two) trades specificity for sensitivity: more "
    "CLASS answers than the most probable class gives; a P above 0.5 does the reverse, fewer (for research on "
    "such rules, not on patients); cxr-convert's report "
    "lists thresholds for 90% and 95% sensitivity chosen on the validation split. Default: the rule the model "
    "file carries (cxr-convert --operating-point; --info shows it), else the most probable class. "
    "CLASS>=P, as the rule column prints it, is taken too; no other comparison is."
)

# --explain: the maps, their cost, where they may be written
EXPLAIN_HELP = (
    "Also write DIR/NAME.png for each image: what the model saw (after preprocessing) beside a map of where "
    "it found the evidence for its label (where covering the film lowers the label's log-odds most), to check that "
    "it looked at the lungs and not at text or the film's edge; its caption says how far covering the strongest "
    "square moves the answer, and a film where no square moves it says so rather than paint noise. Costs about "
    "300 more model calls per image at any input size (about 1.5 s on a Pi 4 at the default 128 px, estimated). "
    "--json and --csv add the map's path and the share of the evidence in the film's outer eighth "
    "(evidence_at_border; empty where none was found; 0.44 if spread evenly); --json also the label's "
    "probability with the strongest square covered (covered_probability). DIR must be "
    "a folder of its own: not the films' folder, nor inside a folder read with --recursive or watched (a map "
    "would replace the film of its name, or come back as a film). A file already there is never replaced: "
    "a map whose name is taken (an earlier run's map, or another run's at the same time) is named NAME-2.png, "
    "NAME-3.png, ... and its caption gives the film's path."
)

# --watch: when a film is taken, taken again, and said
WATCH_HELP = (
    "Keep watching the folders given and classify each film that arrives, once its copy has "
    "finished (the same size, time and inode on two polls in a row, 3 s apart at least: a copy that "
    "pauses for longer is read half-written, and the film is answered again once its copy has "
    "finished); the films already there come first, and a film rewritten or "
    "replaced is classified again (one overwritten in place under its old name at the next "
    "check of every file, each 30th poll), as is a film renamed, and every film after a restart "
    "unless --skip-answered reads the earlier log. A failed film is tried again once it changes (a "
    "permission fixed), and once more unchanged where it failed for want of memory or a "
    "share's I/O error; an empty file that stays empty gets its error line after 30 s (10 "
    "polls at least). A watched folder that cannot be read, and films in sub-folders without "
    "--recursive, are said once on stderr, as is a file still changing after 10 minutes. A folder given "
    "twice (another path, a link; under --recursive, one inside another) is watched once. One line per film as it is done; Ctrl-C or SIGTERM "
    "stops, with the summary (exit code 1 if some film failed during the run, else 0). Polls, "
    "so it works on network shares; a poll reads only the folders that changed, so a folder "
    "may keep tens of thousands of films."
)

# --skip-answered: which films an earlier log's answers skip
SKIP_ANSWERED_HELP = (
    "--watch --json: skip the films that LOG (the JSON lines an earlier watch appended to) answered as they "
    "are now (the same size, modification and change times), so a restart does not answer the whole folder "
    "again, even where LOG names the folder by another path or a link; films that arrived or changed (a chmod too) "
    "since, films whose answer was an error (a refusal logged by 0.44 or later is skipped under --refuse-atypical, else "
    "classified), and "
    "films another model file answered (another model_sha256) are answered, and how many have no answer in LOG is said. Give it again for each rotated copy of the "
    "log (answers.jsonl.1, .gz too): a film whose answer was rotated away is answered again. A LOG that "
    "does not exist yet skips nothing (a warning says so)."
)
