;;; journey-mode.el --- Major mode for the journey language  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "26.1"))
;; Keywords: languages
;; URL: see editors/README.md in the journey repository
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; Editing .journey files (marketing journeys as code): highlighting of
;; keywords, strings with {expression} interpolation and escapes, numbers,
;; durations (90d, 1h30m), times of day (10:00), percentages (50%) and
;; comments, as the lexer reads them (spec/language.md, section 1);
;; indentation by brackets; comment commands; and M-x compile, which runs
;; `journeyc check' and lets `next-error' visit each diagnostic at its exact
;; character.
;;
;; The keywords come from journey-keywords.el, which editors/generate-keywords
;; writes from `journeyc keywords', so they cannot drift from the compiler's.

;;; Code:

(require 'journey-keywords)

(defgroup journey nil
  "Editing journey programs."
  :group 'languages
  :prefix "journey-")

(defcustom journey-indent-offset 4
  "Columns of indentation per open brace, bracket or parenthesis."
  :type 'integer
  :safe #'integerp)

(defcustom journey-journeyc-program "journeyc"
  "The journey compiler, which \\[compile] runs as `journeyc check FILE'."
  :type 'string)

;;;; Faces

(defface journey-declaration-face '((t :inherit font-lock-keyword-face))
  "Face for the keywords of declarations (event, journey, message...).")
(defface journey-clause-face '((t :inherit font-lock-builtin-face))
  "Face for clause keywords (entry, where, within, every...).")
(defface journey-statement-face '((t :inherit font-lock-keyword-face))
  "Face for statement keywords (send, wait, if, select...).")
(defface journey-operator-face '((t :inherit font-lock-builtin-face))
  "Face for the word operators (and, or, not, in, last).")
(defface journey-constant-face '((t :inherit font-lock-constant-face))
  "Face for true, false, now and contact.")
(defface journey-type-face '((t :inherit font-lock-type-face))
  "Face for the type names (string, number, bool, time, duration).")
(defface journey-number-face '((t :inherit font-lock-constant-face))
  "Face for numbers, signed numbers included.")
(defface journey-duration-face '((t :inherit font-lock-constant-face))
  "Face for durations such as 90d or 1h30m.")
(defface journey-time-face '((t :inherit font-lock-constant-face))
  "Face for times of day such as 10:00.")
(defface journey-percentage-face '((t :inherit font-lock-constant-face))
  "Face for percentages such as 50%.")
(defface journey-escape-face '((t :inherit font-lock-regexp-grouping-backslash))
  "Face for escape sequences in strings (\\n, \\{, \\u{20AC}...).")
(defface journey-interpolation-delimiter-face
  '((t :inherit font-lock-preprocessor-face))
  "Face for the braces around an interpolated expression in a string.")
(defface journey-invalid-face '((t :inherit font-lock-warning-face))
  "Face for what the compiler rejects: bad numbers, unknown escapes.")

;;;; Syntax

(defvar journey-mode-syntax-table
  (let ((table (make-syntax-table)))
    ;; // to the end of the line (style b); /* */ (style a), not nested.
    (modify-syntax-entry ?/ ". 124b" table)
    (modify-syntax-entry ?* ". 23" table)
    (modify-syntax-entry ?\n "> b" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "\\" table)
    (modify-syntax-entry ?_ "_" table)
    (dolist (character '(?+ ?- ?= ?< ?> ?~ ?? ?% ?& ?| ?! ?: ?, ?. ?' ?\;))
      (modify-syntax-entry character "." table))
    table)
  "Syntax table of `journey-mode'.")

(defconst journey--fence (string-to-syntax "|")
  "The syntax of a character that opens or closes a string by itself.")

;; Strings cannot be left to the syntax table: "Hi {name ?? "friend"}!" holds
;; code, and a string inside it. So every quote that opens or closes a string,
;; and every brace that opens or closes an interpolation, becomes a string
;; fence: the text between an interpolation's braces is code. The scanner
;; mirrors compiler/lexer.re. Its state at the end of each line is kept on the
;; newline, so scanning can resume at any line: a list of frames, innermost
;; first, each `string', `block-comment' or the number of braces open inside an
;; interpolation; nil at the top level.

(defun journey--syntax-propertize (start end)
  "Mark the strings and interpolations between START and END as fences."
  (goto-char start)
  (let ((state (and (> start (point-min))
                    (get-text-property (1- start) 'journey-state))))
    (while (< (point) end)
      (let ((frame (car state)))
        (cond
         ((eq frame 'block-comment)
          (skip-chars-forward "^*\n" end)
          (cond ((>= (point) end))
                ((looking-at "\\*/") (forward-char 2) (pop state))
                ((eq (char-after) ?\n)
                 (setq state (journey--end-of-line state)))
                (t (forward-char 1))))
         ((eq frame 'string)
          (skip-chars-forward "^\"\\\\{\n" end)
          (pcase (and (< (point) end) (char-after))
            (?\" (journey--fence-here) (pop state))
            (?\\ (forward-char 1)
                 (unless (memq (char-after) '(?\n nil))
                   ;; The braces of \\u{XXXX} open no interpolation.
                   (if (looking-at "u{[0-9A-Fa-f]*}?")
                       (goto-char (match-end 0))
                     (forward-char 1))))
            (?{ (journey--fence-here) (push 0 state))
            ;; Unterminated: the lexer closes the string at the end of its line.
            (?\n (put-text-property (point) (1+ (point))
                                    'syntax-table journey--fence)
                 (pop state)
                 (setq state (journey--end-of-line state)))))
         (t
          (skip-chars-forward "^\"{}/\n" end)
          (pcase (and (< (point) end) (char-after))
            (?\" (journey--fence-here) (push 'string state))
            (?{ (forward-char 1)
                (when frame (setq state (cons (1+ frame) (cdr state)))))
            (?} (cond ((eq frame 0) (journey--fence-here) (pop state))
                      (frame (setq state (cons (1- frame) (cdr state)))))
                (unless (eq frame 0) (forward-char 1)))
            (?/ (pcase (char-after (1+ (point)))
                  (?/ (skip-chars-forward "^\n" end))
                  (?* (forward-char 2) (push 'block-comment state))
                  (_ (forward-char 1))))
            (?\n (setq state (journey--end-of-line state))))))))))

(defun journey--fence-here ()
  "Make the character at point a string fence, and move past it."
  (put-text-property (point) (1+ (point)) 'syntax-table journey--fence)
  (forward-char 1))

(defun journey--end-of-line (state)
  "Record STATE on the newline at point, move past it, and return STATE."
  (when (eq (char-after) ?\n)
    (put-text-property (point) (1+ (point)) 'journey-state state)
    (forward-char 1))
  state)

;;;; Highlighting

(defconst journey--keyword-faces
  '((declaration . journey-declaration-face)
    (clause . journey-clause-face)
    (statement . journey-statement-face)
    (operator . journey-operator-face)
    (constant . journey-constant-face)
    (type . journey-type-face))
  "The face of each group of `journey-keywords'.")

(defvar journey--matched-face nil
  "The face for the text the last literal or escape matcher found.")

(defun journey--field-name-p (start end)
  "Is the word from START to END a field name: after a dot, or before a colon?
A keyword may name an event field or a payload key (o.value, { step: 1 })."
  (save-excursion
    (or (progn (goto-char start)
               (skip-chars-backward " \t")
               (eq (char-before) ?.))
        (progn (goto-char end)
               (skip-chars-forward " \t")
               (eq (char-after) ?:)))))

(defun journey--keyword-matcher (words)
  "A font-lock matcher for WORDS that are keywords, not field names."
  (let ((regexp (concat "\\_<" (regexp-opt words t) "\\_>")))
    (lambda (limit)
      (let (found)
        (while (and (not found) (re-search-forward regexp limit t))
          (setq found (not (journey--field-name-p (match-beginning 0)
                                                  (match-end 0)))))
        found))))

(defconst journey--escape-regexp
  "\\\\\\(?:\\(u{[0-9A-Fa-f]\\{1,6\\}}\\|[ntr\\\\\"{}]\\)\\|.\\)?"
  "A backslash and what follows it; group 1 matches when the escape is valid.")

(defun journey--match-escape (limit)
  "Find the next escape sequence in a string before LIMIT; set its face."
  (let (found)
    (while (and (not found) (re-search-forward journey--escape-regexp limit t))
      (when (nth 3 (save-excursion (syntax-ppss (match-beginning 0))))
        (setq journey--matched-face (if (match-beginning 1)
                                        'journey-escape-face
                                      'journey-invalid-face)
              found t)))
    found))

(defun journey--match-interpolation-delimiter (limit)
  "Find the next brace before LIMIT that opens or closes an interpolation."
  (let (found)
    (while (and (not found) (re-search-forward "[{}]" limit t))
      (setq found (equal (get-text-property (match-beginning 0) 'syntax-table)
                         journey--fence)))
    found))

(defconst journey--digits "[0-9]\\(?:_?[0-9]\\)*")
(defconst journey--decimal
  (concat journey--digits "\\(?:\\." journey--digits "\\)?"
          "\\(?:[eE][+-]?" journey--digits "\\)?"))
(defconst journey--literal-regexps
  `((journey-time-face . "[0-9]\\{1,2\\}:[0-9]\\{2\\}\\(?::[0-9]\\{2\\}\\)?")
    (journey-percentage-face . ,(concat journey--decimal "%"))
    (journey-duration-face . ,(concat "\\(?:" journey--digits "[smhdw]\\)+"))
    (journey-number-face . ,journey--decimal))
  "The literals that start with a digit, as (FACE . REGEXP).")

(defun journey--match-literal (limit)
  "Find the next number, duration, time of day or percentage before LIMIT.
As in the lexer, the longest token wins: a digit followed by letters,
digits, underscores and dots that make no valid literal is one bad token
\(1.5h).  A sign after white space, an opening bracket, a comma, a colon or
`=' belongs to a plain number that follows it (spec/language.md, 1.6)."
  (let (found)
    (while (and (not found) (re-search-forward "[0-9]" limit t))
      (let ((start (match-beginning 0)))
        (goto-char start)
        (if (memq (char-syntax (or (char-before) ?\s)) '(?w ?_))
            (skip-chars-forward "A-Za-z0-9_")   ; a digit inside a name
          (let ((bad-end (save-excursion
                           (skip-chars-forward "A-Za-z0-9_.")
                           (point)))
                (face 'journey-invalid-face)
                (end start))
            (dolist (literal journey--literal-regexps)
              (when (and (looking-at (cdr literal)) (> (match-end 0) end))
                (setq face (car literal) end (match-end 0))))
            (when (< end bad-end)
              (setq face 'journey-invalid-face end bad-end))
            (when (and (eq face 'journey-number-face)
                       (memq (char-before) '(?+ ?-))
                       (or (= (1- start) (line-beginning-position))
                           (memq (char-before (1- start))
                                 '(?\s ?\t ?\( ?\[ ?{ ?, ?: ?=))))
              (setq start (1- start)))
            (set-match-data (list start end))
            (goto-char end)
            (setq journey--matched-face face
                  found t)))))
    found))

(defvar journey-font-lock-keywords
  `((journey--match-escape (0 journey--matched-face prepend))
    (journey--match-interpolation-delimiter
     (0 'journey-interpolation-delimiter-face t))
    ,@(mapcar (lambda (group)
                `(,(journey--keyword-matcher (cdr group))
                  (0 ',(alist-get (car group) journey--keyword-faces))))
              journey-keywords)
    (journey--match-literal (0 journey--matched-face)))
  "What `journey-mode' highlights beyond strings and comments.")

;;;; Indentation

(defun journey-indent-line ()
  "Indent the current line: `journey-indent-offset' per bracket open before it,
one level less for each closing bracket that starts it. Lines inside a block
comment keep their indentation."
  (interactive)
  (let ((state (save-excursion (syntax-ppss (line-beginning-position)))))
    (if (or (nth 3 state) (nth 4 state))
        'noindent
      (let ((closers (save-excursion
                       (back-to-indentation)
                       (let ((count 0))
                         ;; Syntax class 5 is a closing parenthesis; the brace
                         ;; that closes an interpolation is a fence instead.
                         (while (eq (syntax-class (syntax-after (point))) 5)
                           (setq count (1+ count))
                           (forward-char 1)
                           (skip-chars-forward " \t"))
                         count)))
            (offset (- (current-column) (current-indentation))))
        (indent-line-to
         (* journey-indent-offset (max 0 (- (nth 0 state) closers))))
        (when (> offset 0) (forward-char offset))))))

;;;; Compilation

(defconst journey-compilation-error-regexp
  `(journeyc
    ,(concat "^\\([^ \t\n:][^\n:]*\\):\\([0-9]+\\):\\([0-9]+\\): "
             "\\(?:error\\|\\(warning\\)\\|\\(note\\)\\): ")
    1 2 3 (4 . 5))
  "The diagnostics of journeyc, for `compilation-error-regexp-alist-alist'.
They read file:line:column: error|warning|note: message.")

(with-eval-after-load 'compile
  (defvar compilation-error-regexp-alist-alist)
  (defvar compilation-error-regexp-alist)
  (add-to-list 'compilation-error-regexp-alist-alist
               journey-compilation-error-regexp)
  (add-to-list 'compilation-error-regexp-alist 'journeyc))

;;;; The mode

;;;###autoload
(define-derived-mode journey-mode prog-mode "Journey"
  "Major mode for journey programs (.journey files).

Highlights keywords, strings with their escapes and {interpolations},
numbers, durations, times of day, percentages and comments; indents by
brackets (`journey-indent-offset'); \\[comment-dwim] writes // comments;
\\[compile] runs `journeyc check' on the file, and \\[next-error] visits each
diagnostic."
  :syntax-table journey-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "\\(?://+\\|/\\*+\\)\\s-*")
  (setq-local comment-end-skip "[ \t]*\\*+/")
  ;; The delimiter face goes on the delimiters alone, not on the space after.
  (setq-local font-lock-comment-start-skip "//+\\|/\\*+")
  (setq-local font-lock-comment-end-skip "\\*+/")
  (setq-local indent-line-function #'journey-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local electric-indent-chars (append "{}()[]" electric-indent-chars))
  (setq-local syntax-propertize-function #'journey--syntax-propertize)
  ;; Text typed after a newline must not inherit the scanner's state.
  (setq-local text-property-default-nonsticky
              (cons '(journey-state . t) text-property-default-nonsticky))
  (setq-local syntax-propertize-extend-region-functions
              '(syntax-propertize-wholelines))
  (setq-local font-lock-defaults '(journey-font-lock-keywords))
  ;; journeyc counts columns in characters, a tab as one.
  (setq-local compilation-error-screen-columns nil)
  (when buffer-file-name
    (setq-local compile-command
                (concat journey-journeyc-program " check --color=never "
                        (shell-quote-argument
                         (file-name-nondirectory buffer-file-name))))))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.journey\\'" . journey-mode))

(provide 'journey-mode)

;;; journey-mode.el ends here
