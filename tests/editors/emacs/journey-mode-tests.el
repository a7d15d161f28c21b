;;; journey-mode-tests.el --- ERT tests of journey-mode  -*- lexical-binding: t -*-

;;; Commentary:

;; Run by tests/editors/run.sh, in batch mode:
;;
;;   JOURNEYC=build/journeyc emacs -Q --batch -L editors/emacs \
;;     -l tests/editors/emacs/journey-mode-tests.el -f ert-run-tests-batch-and-exit
;;
;; highlighting/FILE  every annotated sample of tests/editors/samples: the face at
;;                    each asserted position, through highlight-classes.tsv
;; indent/FILE        every file of tests/editors/indent, flattened and re-indented
;; the others         file association, comments, and M-x compile with next-error
;;                    on tests/editors/fixtures/diagnostics.journey

;;; Code:

(require 'ert)
(require 'compile)
(require 'seq)
(require 'subr-x)
(require 'journey-mode)

(eval-and-compile
  (defconst journey-test-root
    (expand-file-name "../../.."
                      (file-name-directory
                       (or load-file-name
                           (bound-and-true-p byte-compile-current-file)
                           buffer-file-name)))
    "The root of the repository.")

  (defun journey-test--path (relative)
    "The absolute path of RELATIVE, a path in the repository."
    (expand-file-name relative journey-test-root)))

(defun journey-test--read (path)
  "The contents of the file PATH."
  (with-temp-buffer
    (insert-file-contents path)
    (buffer-string)))

;;;; Highlighting

(defun journey-test--classes ()
  "The face of each scope the samples assert: an alist (SCOPE . FACE).
FACE nil means no face at all."
  (let (classes)
    (dolist (line (split-string (journey-test--read
                                 (journey-test--path
                                  "tests/editors/highlight-classes.tsv"))
                                "\n" t))
      (unless (string-prefix-p "#" line)
        (let ((fields (split-string line "\t")))
          (push (cons (nth 0 fields) (intern (nth 2 fields))) classes))))
    classes))

(defun journey-test--parse-sample (path)
  "Parse the sample PATH the way vscode-tmgrammar-test does.
The header names the comment token; a comment line of carets or <- arrows
asserts scopes on the source line above it and is not part of the source.
Return (SOURCE FILE-LINES ASSERTIONS): the source lines, the line number in
PATH of each, and assertions (LINE FROM TO REQUIRED EXCLUDED) where LINE
indexes SOURCE and FROM and TO are character columns."
  (let* ((lines (split-string (journey-test--read path) "\n"))
         (token (if (string-match "\\`\\(\\S-+\\)\\s-+SYNTAX\\s-+TEST\\s-+\"" (car lines))
                    (match-string 1 (car lines))
                  (error "%s: the first line is not a SYNTAX TEST header" path)))
         (number 1)
         source file-lines assertions)
    (dolist (line (cdr lines))
      (setq number (1+ number))
      (let ((rest (and (string-prefix-p token line) (substring line (length token)))))
        (if (not (and rest (string-match-p "\\`[ \t]*\\(?:\\^\\|<~*-+\\)" rest)))
            (progn (push line source) (push number file-lines))
          (let (ranges words)
            (if (string-match "\\`[ \t]*<\\(~*\\)\\(-+\\)\\(.*\\)\\'" rest)
                (let ((from (length (match-string 1 rest))))
                  (push (cons from (+ from (length (match-string 2 rest)))) ranges)
                  (setq words (split-string (match-string 3 rest))))
              (let ((start 0))
                (while (string-match "\\^+" rest start)
                  (push (cons (+ (length token) (match-beginning 0))
                              (+ (length token) (match-end 0)))
                        ranges)
                  (setq start (match-end 0))))
              (setq words (split-string (replace-regexp-in-string "\\^" " " rest))))
            (let* ((dash (seq-position words "-"))
                   (required (if dash (seq-take words dash) words))
                   (excluded (and dash (seq-drop words (1+ dash)))))
              (dolist (range ranges)
                (push (list (1- (length source)) (car range) (cdr range)
                            required excluded)
                      assertions)))))))
    (list (nreverse source) (nreverse file-lines) (nreverse assertions))))

(defun journey-test--faces-at (position)
  "The faces at POSITION, as a list."
  (let ((face (get-text-property position 'face)))
    (if (listp face) face (list face))))

(defun journey-test--check-highlighting (path)
  "Fail unless journey-mode shows the sample PATH as its assertions say."
  (let ((classes (journey-test--classes))
        (sample (journey-test--parse-sample path))
        failures)
    (with-temp-buffer
      (insert (string-join (nth 0 sample) "\n"))
      (journey-mode)
      (font-lock-ensure)
      (dolist (assertion (nth 2 sample))
        (pcase-let* ((`(,line ,from ,to ,required ,excluded) assertion)
                     (scope (car (last (seq-filter (lambda (scope) (assoc scope classes))
                                                   required))))
                     (expected (cdr (assoc scope classes)))
                     (unwanted (delq nil (mapcar (lambda (scope) (assoc scope classes))
                                                 excluded)))
                     (text (nth line (nth 0 sample)))
                     (bol (progn (goto-char (point-min)) (forward-line line) (point))))
          (catch 'reported
            (dolist (column (number-sequence from (1- to)))
              (let ((where (format "%s:%d:%d" (file-name-nondirectory path)
                                   (nth line (nth 1 sample)) (1+ column)))
                    (faces (journey-test--faces-at (+ bol column))))
                (cond
                 ((and (or scope unwanted) (>= column (length text)))
                  (push (format "%s: past the end of the line" where) failures))
                 ((and scope (not (eq (car faces) expected)))
                  (push (format "%s: expected %s, got %s (%s)" where expected faces
                                (string-join required " "))
                        failures))
                 ;; An excluded scope shown without a face (a field) cannot be
                 ;; told from plain text, so only those with a face are checked.
                 ((seq-find (lambda (class) (and (cdr class) (memq (cdr class) faces)))
                            unwanted)
                  (push (format "%s: %s, which the sample excludes (- %s)" where faces
                                (string-join excluded " "))
                        failures)))
                (when failures (throw 'reported nil))))))))
    (when failures
      (ert-fail (string-join (nreverse failures) "\n")))))

;;;; Indentation

(defun journey-test--check-indent (path)
  "Fail unless re-indenting the flattened file PATH gives it back."
  (let* ((expected (journey-test--read path))
         (actual (with-temp-buffer
                   (insert expected)
                   (journey-mode)
                   (goto-char (point-min))
                   (while (re-search-forward "^[ \t]+" nil t)
                     (replace-match ""))
                   (indent-region (point-min) (point-max))
                   (buffer-substring-no-properties (point-min) (point-max))))
         (expected-lines (split-string expected "\n"))
         (actual-lines (split-string actual "\n"))
         failures)
    (dotimes (index (length expected-lines))
      (unless (equal (nth index expected-lines) (nth index actual-lines))
        (push (format "%s:%d: expected %S, got %S" (file-name-nondirectory path)
                      (1+ index) (nth index expected-lines) (nth index actual-lines))
              failures)))
    (when failures
      (ert-fail (string-join (nreverse failures) "\n")))))

(defmacro journey-test--define-per-file (prefix directory function)
  "Define a test PREFIX/FILE calling FUNCTION on each .journey file of DIRECTORY."
  `(progn
     ,@(mapcar (lambda (path)
                 `(ert-deftest ,(intern (format "%s/%s" prefix (file-name-base path))) ()
                    (,function ,path)))
               (directory-files (journey-test--path directory) t "\\.journey\\'"))))

(journey-test--define-per-file highlighting "tests/editors/samples"
                               journey-test--check-highlighting)
(journey-test--define-per-file indent "tests/editors/indent"
                               journey-test--check-indent)

;;;; Files, comments

(ert-deftest journey-mode-for-journey-files ()
  (should (eq (assoc-default "welcome.journey" auto-mode-alist #'string-match)
              'journey-mode)))

(ert-deftest journey-comment-commands ()
  (with-temp-buffer
    (journey-mode)
    (insert "send welcome\nwait 1d\n")
    (comment-region (point-min) (point-max))
    (should (equal (buffer-string) "// send welcome\n// wait 1d\n"))
    (uncomment-region (point-min) (point-max))
    (should (equal (buffer-string) "send welcome\nwait 1d\n"))
    (erase-buffer)
    (insert "/* a /* b */ c */ // d")
    (should (nth 4 (save-excursion (syntax-ppss 10))))     ; in "/* a /* b"
    (should-not (nth 4 (save-excursion (syntax-ppss 14)))) ; "c": no nesting
    (should (nth 4 (save-excursion (syntax-ppss 23))))))   ; in "// d"

;;;; Editing

(ert-deftest journey-rescans-strings-after-an-edit ()
  "An edit that opens or closes an interpolation changes the lines after it."
  (with-temp-buffer
    (journey-mode)
    (insert "message m = email \"x\" { text: \"Hi {first_name\n"
            "  ?? \"friend\"} bye\" }\n"
            "channel sms\n")
    (font-lock-ensure)
    (goto-char (point-min))
    (search-forward "bye")
    (should (eq (car (journey-test--faces-at (match-beginning 0))) 'font-lock-string-face))
    ;; Without the brace, the first string ends unterminated at its line; "bye" is code.
    (goto-char (point-min))
    (search-forward "Hi {")
    (delete-char -1)
    (font-lock-ensure)
    (goto-char (point-min))
    (search-forward "bye")
    (should-not (journey-test--faces-at (match-beginning 0)))
    (search-forward "channel")
    (should (eq (car (journey-test--faces-at (match-beginning 0)))
                'journey-declaration-face))))

;;;; M-x compile and next-error

(defun journey-test--visit-errors (buffer)
  "Visit every error of the compilation BUFFER with `compile-goto-error'.
Return \"LINE:COLUMN: TYPE: TEXT\" for each, with the line and character
column where point lands in the source."
  (let ((compilation-skip-threshold 0)   ; notes too
        visited)
    (with-current-buffer buffer
      (goto-char (point-min))
      (while (condition-case nil (progn (compilation-next-error 1) t) (error nil))
        (let* ((message (get-text-property (point) 'compilation-message))
               (type (aref ["note" "warning" "error"] (compilation--message->type message)))
               (text (buffer-substring-no-properties (point) (line-end-position)))
               (text (if (string-match ": \\(?:error\\|warning\\|note\\): \\(.*\\)" text)
                         (match-string 1 text)
                       text))
               (origin (point)))
          (compile-goto-error)
          (push (format "%d:%d: %s: %s" (line-number-at-pos)
                        (1+ (- (point) (line-beginning-position))) type text)
                visited)
          (set-buffer buffer)
          (goto-char origin))))
    (nreverse visited)))

(ert-deftest journey-compile-and-next-error ()
  "M-x compile runs journeyc; each diagnostic is visited at its character."
  (let* ((journeyc (expand-file-name
                    (or (getenv "JOURNEYC") (ert-fail "JOURNEYC is not set"))
                    command-line-default-directory))
         (fixture (journey-test--path "tests/editors/fixtures/diagnostics.journey"))
         (expected (mapcar (lambda (line) (substring line 11))
                           (seq-filter (lambda (line) (string-prefix-p "// expect: " line))
                                       (split-string (journey-test--read fixture) "\n"))))
         ;; journeyc's own regexp, not the generic gnu one, must find them all.
         (compilation-error-regexp-alist '(journeyc))
         (journey-journeyc-program journeyc)
         (source (find-file-noselect fixture))
         compilation)
    (unwind-protect
        (with-current-buffer source
          (should (equal compile-command
                         (concat journeyc " check --color=never diagnostics.journey")))
          (setq compilation (compile compile-command))
          (while (process-live-p (get-buffer-process compilation))
            (accept-process-output nil 0.1))
          (let ((visited (journey-test--visit-errors compilation)))
            (should (equal (sort (copy-sequence visited) #'string<)
                           (sort (copy-sequence expected) #'string<)))))
      (when compilation (kill-buffer compilation))
      (kill-buffer source))))

(ert-deftest journey-compile-regexp-is-registered ()
  (should (memq 'journeyc compilation-error-regexp-alist))
  (should (assq 'journeyc compilation-error-regexp-alist-alist)))

;;; journey-mode-tests.el ends here
