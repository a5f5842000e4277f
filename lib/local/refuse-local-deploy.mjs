/**
 * A Serverless Framework plugin: the `local` stage exists for `npm start` only. Its
 * configuration holds the development token and a local endpoint, so packaging or deploying it
 * fails, naming the rule. serverless-offline runs none of these hooks.
 */
export default class RefuseLocalDeploy {
  constructor(serverless, options) {
    const refuse = () => {
      const stage = options?.stage ?? serverless.service.provider.stage
      if (stage === 'local') {
        // The Framework's own error class prints the message without a stack trace.
        const ServerlessError = serverless.classes?.Error ?? Error
        throw new ServerlessError(
          'The local stage is for npm start only and cannot be packaged or deployed: choose another --stage.',
        )
      }
    }
    this.hooks = {
      'before:package:initialize': refuse,
      'before:deploy:function:initialize': refuse,
    }
  }
}
