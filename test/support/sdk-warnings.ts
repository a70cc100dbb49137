/**
 * The machines that run the tests have Node.js 20; the SDK warns once per process that
 * its releases from 2027 need Node.js 22. The handler runs on Lambda's Node.js 24, so
 * the warning says nothing about the code under test and only buries real output.
 * Worker threads that host the handler inherit this variable.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
