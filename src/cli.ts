// `bert-lens <verb>`: verbs land with their core modules.
process.stderr.write('bert-lens: no verbs yet\n');
process.exit(2);
